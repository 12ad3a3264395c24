package keel.console;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import keel.api.container.ContainerService;
import keel.api.image.ImageService;
import keel.api.image.RegistryLogins;
import keel.api.space.SpaceService;
import keel.api.kernel.DriverService;
import keel.api.network.NetworkService;
import keel.api.volume.VolumeService;
import keel.api.kernel.EventService;
import keel.api.kernel.SystemService;
import keel.console.command.Command;
import keel.console.command.CommandLine;
import keel.console.commands.CommitCommand;
import keel.console.commands.ControlCommand;
import keel.console.commands.CpCommand;
import keel.console.commands.DiffCommand;
import keel.console.commands.ExportCommand;
import keel.console.commands.DaemonCommand;
import keel.console.commands.StatsCommand;
import keel.console.commands.ExecCommand;
import keel.console.commands.NetworkCommand;
import keel.console.commands.ImageCommand;
import keel.console.commands.InspectCommand;
import keel.console.commands.LifecycleCommand;
import keel.console.commands.LoginCommand;
import keel.console.commands.LogsCommand;
import keel.console.commands.PortCommand;
import keel.console.commands.SpaceCommand;
import keel.console.commands.PsCommand;
import keel.console.commands.RunCommand;
import keel.console.commands.DriversCommand;
import keel.console.commands.EventsCommand;
import keel.console.commands.InfoCommand;
import keel.console.commands.PluginsCommand;
import keel.console.commands.SwapCommand;
import keel.console.commands.VersionCommand;
import keel.console.commands.VolumeCommand;

/**
 * The {@code keel} commands over the kernel's services. It exists only while the kernel does, so
 * the socket and the console (which need it) come up with every command ready, never half.
 */
@Component(service = CommandLine.class)
public class KeelCommandLine extends CommandLine {

    @Activate
    public KeelCommandLine(BundleContext context, @Reference SystemService system, @Reference DriverService drivers,
            @Reference EventService events, @Reference ContainerService containers, @Reference ImageService images,
            @Reference NetworkService networks, @Reference SpaceService space, @Reference RegistryLogins logins,
            @Reference VolumeService volumes) {
        super(commands(context, system, drivers, events, containers, images, networks, space, logins, volumes));
    }

    private static List<Command> commands(BundleContext context, SystemService system, DriverService drivers,
            EventService events, ContainerService containers, ImageService images, NetworkService networks,
            SpaceService space, RegistryLogins logins, VolumeService volumes) {
        List<Command> commands = new ArrayList<>(List.of(new VersionCommand(system), new InfoCommand(system),
                new DriversCommand(drivers), new PluginsCommand(system), new SwapCommand(drivers),
                new EventsCommand(events), new DaemonCommand(context), new RunCommand(containers, images, true),
                new RunCommand(containers, images, false), new PsCommand(containers), new InspectCommand(containers, images),
                new LogsCommand(containers), new ExecCommand(containers)));
        commands.addAll(LifecycleCommand.all(containers));
        commands.addAll(ControlCommand.all(containers));
        commands.add(new StatsCommand(containers));
        commands.addAll(List.of(new DiffCommand(containers), new CommitCommand(containers),
                new ExportCommand(containers), new CpCommand(containers)));
        commands.add(new NetworkCommand(networks));
        commands.add(new PortCommand(networks));
        commands.add(new VolumeCommand(volumes));
        commands.addAll(ImageCommand.all(images));
        commands.addAll(SpaceCommand.all(space));
        commands.add(new LoginCommand(logins, true));
        commands.add(new LoginCommand(logins, false));
        return commands;
    }
}
