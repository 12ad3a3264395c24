package keel.api.kernel;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Facts about Keel and its host, for {@code keel version}, {@code keel info} and {@code keel plugins}. */
@ProviderType
public interface SystemService {

    VersionInfo version();

    HostInfo info();

    /** The third-party bundles installed from the plugins directory. */
    List<PluginInfo> plugins();
}
