package keel.api.kernel;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import keel.api.driver.DriverKind;

/** The kernel's view of its drivers: which provider is bound per kind, and control over it. */
@ProviderType
public interface DriverService {

    /** Every kind, with its bound provider (if any) and the alternatives, and why each is not bound. */
    List<DriverKindReport> drivers();

    /**
     * Makes the installed driver {@code id} of {@code kind} the bound one, and keeps it so (the
     * choice is persisted) until another swap; ranking decides again only if it goes away.
     *
     * @throws keel.api.KeelException not found if no such driver is registered
     */
    DriverKindReport swap(DriverKind kind, String id);

    /** Forgets the swap choice for {@code kind}: the highest ranked driver is bound again. */
    DriverKindReport unpin(DriverKind kind);

    /**
     * Asks the bound driver of {@code kind} for its host facts, waiting the configured bound for one
     * to be bound.
     *
     * @throws keel.api.KeelException unavailable, naming the kind, if none is bound in time
     */
    Map<String, String> probe(DriverKind kind);
}
