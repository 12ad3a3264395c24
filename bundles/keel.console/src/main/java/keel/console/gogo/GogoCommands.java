package keel.console.gogo;

import static org.osgi.service.component.annotations.ReferenceCardinality.MULTIPLE;
import static org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC;
import static org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private final BundleContext context;
    private final CommandLine commandLine;
    private final Map<Command, ServiceRegistration<Function>> registrations = new ConcurrentHashMap<>();

    @Activate
    public GogoCommands(BundleContext context, @Reference CommandLine commandLine) {
        this.context = context;
        this.commandLine = commandLine;
    }

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, policyOption = GREEDY, unbind = "removeCommand")
    void addCommand(Command command) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("osgi.command.scope", "keel");
        properties.put("osgi.command.function", new String[] {command.name()});
        registrations.put(command, context.registerService(Function.class,
                new GogoFunction(command.name(), commandLine), properties));
    }

    void removeCommand(Command command) {
        ServiceRegistration<Function> registration = registrations.remove(command);
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
        }
    }

    @Deactivate
    void deactivate() {
        registrations.keySet().forEach(this::removeCommand);
    }
}
