package keel.kernel.drivers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

import keel.api.driver.DriverKind;
import keel.api.driver.KeelDriver;
import keel.api.kernel.DriverReport;
import keel.api.kernel.DriverState;

/**
 * Driver components that declare a driver service but are not registering it: failed activation
 * (the host lacks what the driver needs), unsatisfied references, disabled. Read from SCR's
 * runtime DTOs, so that {@code keel drivers} can say why, never silently.
 */
final class ComponentFailures {
    private ComponentFailures() {
    }

    static List<DriverReport> of(ServiceComponentRuntime scr, DriverKind kind) {
        List<DriverReport> reports = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (description.serviceInterfaces == null
                    || !Arrays.asList(description.serviceInterfaces).contains(kind.serviceInterface())) {
                continue;
            }
            String id = String.valueOf(description.properties.getOrDefault(KeelDriver.ID, description.name));
            String bundle = description.bundle.symbolicName;
            String version = description.bundle.version;
            int ranking = description.properties.get("service.ranking") instanceof Integer i ? i : 0;
            if (!scr.isComponentEnabled(description)) {
                reports.add(new DriverReport(id, bundle, version, ranking, DriverState.UNSATISFIED,
                        "component " + description.name + " is disabled"));
                continue;
            }
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                String reason = reason(configuration);
                if (reason != null) {
                    DriverState state = configuration.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                            ? DriverState.FAILED : DriverState.UNSATISFIED;
                    reports.add(new DriverReport(id, bundle, version, ranking, state, reason));
                }
            }
        }
        return reports;
    }

    /** Why a configuration does not provide its service, or null when it does. */
    private static String reason(ComponentConfigurationDTO configuration) {
        switch (configuration.state) {
            case ComponentConfigurationDTO.FAILED_ACTIVATION:
                return "activation failed: " + firstLine(configuration.failure);
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                return "waits for its configuration";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                List<String> missing = new ArrayList<>();
                for (UnsatisfiedReferenceDTO reference : configuration.unsatisfiedReferences) {
                    missing.add(reference.name + " (" + reference.target + ")");
                }
                return "waits for " + String.join(", ", missing);
            default:
                return null;
        }
    }

    /**
     * The driver's own message from SCR's failure text (a stack trace): the innermost cause, since
     * SCR wraps the exception a constructor or activator threw.
     */
    static String firstLine(String failure) {
        if (failure == null) {
            return "no reason given";
        }
        String line = failure.lines().findFirst().orElse(failure);
        for (String l : failure.lines().toList()) {
            if (l.startsWith("Caused by: ")) {
                line = l.substring("Caused by: ".length());
            }
        }
        int colon = line.indexOf(": ");
        return colon > 0 && line.substring(0, colon).matches("[\\w.$]+") ? line.substring(colon + 2) : line;
    }

}
