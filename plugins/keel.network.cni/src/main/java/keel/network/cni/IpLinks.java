package keel.network.cni;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import keel.api.KeelException;

/** The one link operation the driver does itself: removing a deleted network's bridge (the bridge plugin leaves it). */
final class IpLinks {
    private final Commands commands;

    IpLinks(Commands commands) {
        this.commands = commands;
    }

    /** Deletes bridge {@code name} if it exists and is a bridge; anything else of that name is left alone. */
    void deleteBridge(String name) {
        Names.checkInterfaceName(name, "bridge");
        if (!Files.isDirectory(Path.of("/sys/class/net", name, "bridge"))) {
            return;
        }
        Commands.Result r = commands.run(List.of("ip", "link", "delete", "dev", name, "type", "bridge"));
        if (!r.ok() && Files.exists(Path.of("/sys/class/net", name))) {
            throw KeelException.internal("cannot delete bridge " + name + ": " + r.err(), null);
        }
    }
}
