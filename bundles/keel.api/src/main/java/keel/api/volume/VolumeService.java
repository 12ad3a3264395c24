package keel.api.volume;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** The kernel's named volumes ({@code keel volume create|ls|inspect|rm|prune}). */
@ProviderType
public interface VolumeService {

    /** Makes a volume; {@code name} null makes one with a generated name. An existing name is returned as it is. */
    VolumeInfo createVolume(String name, Map<String, String> labels);

    List<VolumeInfo> volumes();

    VolumeInfo volume(String name);

    /**
     * Removes a volume and its data; refused (conflict, naming them) while containers, running or
     * not, use it. With {@code force} a volume that does not exist is no error.
     */
    void removeVolume(String name, boolean force);

    /** Removes the volumes no container uses: anonymous ones, or with {@code all} named ones too; returns their names. */
    List<String> pruneVolumes(boolean all);
}
