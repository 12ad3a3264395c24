package keel.console.gogo;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import keel.console.command.Command;
import keel.console.command.CommandLine;

/**
 * Registers every {@code keel} command in the Gogo console under scope {@code keel}, so
 * {@code keel:drivers} in the console and {@code keel drivers} on the CLI are the same code.
 */
@Component(immediate = true)
public class GogoCommands {
    private final List<ServiceRegistration<Function>> registrations = new ArrayList<>();

    @Activate
    public GogoCommands(BundleContext context, @Reference CommandLine commandLine) {
        for (Command command : commandLine.commands().values()) {
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put("osgi.command.scope", "keel");
            properties.put("osgi.command.function", new String[] {command.name()});
            registrations.add(context.registerService(Function.class, new GogoFunction(command.name(), commandLine),
                    properties));
        }
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<Function> registration : registrations) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
        }
    }
}
