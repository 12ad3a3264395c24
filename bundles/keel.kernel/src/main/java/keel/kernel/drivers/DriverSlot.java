package keel.kernel.drivers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

import org.osgi.framework.ServiceReference;

import keel.api.KeelException;
import keel.api.driver.DriverKind;

/**
 * The providers of one driver kind and the one that is bound: the pinned id if it is registered,
 * else the highest ranked (the OSGi order: ranking, then lowest service id). The kernel reads
 * {@link #current()} once per call; {@link #await} waits a bounded time when none is bound.
 */
final class DriverSlot<D> {
    private static final Comparator<Provider<?>> BEST_FIRST =
            Comparator.comparing((Provider<?> p) -> p.reference()).reversed();

    private final DriverKind kind;
    private final BiConsumer<Provider<D>, Provider<D>> onChange;
    private final List<Provider<D>> providers = new ArrayList<>();
    private String pinned;
    private volatile Provider<D> current;

    /** {@code onChange} is told (old, new) whenever the bound provider changes; either may be null. */
    DriverSlot(DriverKind kind, BiConsumer<Provider<D>, Provider<D>> onChange) {
        this.kind = kind;
        this.onChange = onChange;
    }

    DriverKind kind() {
        return kind;
    }

    void add(ServiceReference<?> reference, D service) {
        rebind(() -> providers.add(Provider.of(reference, service)));
    }

    void remove(ServiceReference<?> reference) {
        rebind(() -> providers.removeIf(p -> p.reference().equals(reference)));
    }

    /** The ranking of a registered service changed. */
    void modified() {
        rebind(() -> { });
    }

    void pin(String id) {
        rebind(() -> pinned = id);
    }

    synchronized Optional<String> pinned() {
        return Optional.ofNullable(pinned);
    }

    Optional<Provider<D>> current() {
        return Optional.ofNullable(current);
    }

    /** Every registered provider, best first. */
    synchronized List<Provider<D>> providers() {
        List<Provider<D>> copy = new ArrayList<>(providers);
        copy.sort(BEST_FIRST);
        return copy;
    }

    /** The best provider with {@code id} (after an update, the new revision). */
    synchronized Optional<Provider<D>> find(String id) {
        return providers.stream().filter(p -> p.id().equals(id)).min(BEST_FIRST);
    }

    /**
     * The bound driver, waiting up to {@code wait} for one; then a retryable unavailable error that
     * names the kind.
     */
    D await(Duration wait) {
        Provider<D> bound = current;
        if (bound != null) {
            return bound.service();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (current == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw KeelException.unavailable("no %s driver is bound (waited %d ms): it may be being "
                            + "replaced, so retry; if this lasts, see 'keel drivers' and install or start a %s "
                            + "driver", kind.label(), wait.toMillis(), kind.label());
                }
                try {
                    wait(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw KeelException.unavailable("interrupted while waiting for a %s driver", kind.label());
                }
            }
            return current.service();
        }
    }

    /**
     * The provider with {@code id} (the one that made a container's part), waiting up to {@code wait}
     * for it to register again (an update of its bundle); a null id is {@link #await(Duration)}.
     */
    D await(String id, Duration wait) {
        if (id == null) {
            return await(wait);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (true) {
                Optional<Provider<D>> provider = find(id);
                if (provider.isPresent()) {
                    return provider.get().service();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw KeelException.unavailable("no %s driver '%s' is registered (waited %d ms), and the "
                            + "container was made with it: it may be being updated, so retry; if this lasts, "
                            + "install it again (see 'keel drivers')", kind.label(), id, wait.toMillis());
                }
                try {
                    wait(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw KeelException.unavailable("interrupted while waiting for the %s driver %s", kind.label(),
                            id);
                }
            }
        }
    }

    /** The provider with {@code id} now, or the bound one for a null id; never waits. */
    synchronized Optional<D> registered(String id) {
        return id == null ? current().map(Provider::service) : find(id).map(Provider::service);
    }

    /** The id of a driver object this slot handed out, while it is registered. */
    synchronized Optional<String> idOf(Object service) {
        return providers.stream().filter(p -> p.service() == service).map(Provider::id).findFirst();
    }

    private void rebind(Runnable change) {
        Provider<D> before;
        Provider<D> after;
        synchronized (this) {
            before = current;
            change.run();
            after = choose();
            current = after;
            notifyAll();
        }
        if (before != after && (before == null || after == null || !before.reference().equals(after.reference()))) {
            onChange.accept(before, after);
        }
    }

    private Provider<D> choose() {
        if (pinned != null) {
            for (Provider<D> p : providers) {
                if (p.id().equals(pinned)) {
                    return p;
                }
            }
        }
        return providers.stream().min(BEST_FIRST).orElse(null);
    }
}
