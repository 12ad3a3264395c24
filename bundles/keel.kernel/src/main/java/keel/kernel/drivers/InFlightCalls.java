package keel.kernel.drivers;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The calls in flight on one driver object. The kernel calls the driver through {@link #proxy()},
 * which counts them, so that when the driver's service goes (its bundle is stopped, updated or
 * uninstalled) the unbind can wait, bounded, for them to return: right after, the framework may
 * discard the bundle's class loader (nothing is wired to a driver bundle), and a call still
 * running would fail with NoClassDefFoundError on the first class it had not loaded yet.
 *
 * <p>The proxy implements every interface of the driver that the kernel can see, so capability
 * checks ({@code instanceof ExitNotifier}) answer as for the driver itself.
 */
final class InFlightCalls implements InvocationHandler {
    private final Object driver;
    private final Object proxy;
    private int calls;

    InFlightCalls(Object driver) {
        this.driver = driver;
        ClassLoader kernel = InFlightCalls.class.getClassLoader();
        this.proxy = Proxy.newProxyInstance(kernel, visibleInterfaces(driver.getClass(), kernel), this);
    }

    /** What the kernel holds instead of the driver. */
    @SuppressWarnings("unchecked")
    <D> D proxy() {
        return (D) proxy;
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                default -> driver.toString();
            };
        }
        enter();
        try {
            return method.invoke(driver, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            exit();
        }
    }

    /** Waits up to {@code max} for the calls in flight to return; false if some still run. */
    synchronized boolean awaitNone(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (calls > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    synchronized int inFlight() {
        return calls;
    }

    private synchronized void enter() {
        calls++;
    }

    private synchronized void exit() {
        if (--calls == 0) {
            notifyAll();
        }
    }

    /** The public interfaces of {@code type} and its superclasses that {@code loader} sees as they are. */
    private static Class<?>[] visibleInterfaces(Class<?> type, ClassLoader loader) {
        Set<Class<?>> found = new LinkedHashSet<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (java.lang.reflect.Modifier.isPublic(i.getModifiers()) && visible(i, loader)) {
                    found.add(i);
                }
            }
        }
        return found.toArray(Class<?>[]::new);
    }

    private static boolean visible(Class<?> type, ClassLoader loader) {
        try {
            return Class.forName(type.getName(), false, loader) == type;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
