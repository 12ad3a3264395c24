package keel.cgroup.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The devices cgroup's rule semantics (cgroup v1 devices.txt, as runc's devices emulator keeps
 * them; the v2 driver compiles them to an eBPF program so that a v2 container gets exactly what a v1
 * container would): a default (allow or deny everything) plus exceptions. Applying rules in order to a fresh
 * cgroup gives the effective set; a rule that would need a hole punched into a wildcard exception
 * is refused rather than silently ignored as the kernel would.
 */
public final class DeviceRules {
    /** Wildcard major or minor. */
    public static final long ANY = -1;

    /**
     * One rule.
     *
     * @param allow allow or deny
     * @param type {@code a}, {@code b} or {@code c}
     * @param major major number or {@link #ANY}
     * @param minor minor number or {@link #ANY}
     * @param access a non-empty subset of {@code rwm}, in that order
     */
    public record Rule(boolean allow, char type, long major, long minor, String access) {
        public Rule {
            access = canonical(access);
        }

        /** The rule as devices.allow / devices.deny take it: {@code c 1:3 rwm}. */
        public String kernelForm() {
            return type == 'a' ? "a *:* rwm" : type + " " + number(major) + ":" + number(minor) + " " + access;
        }

        private static String number(long value) {
            return value == ANY ? "*" : Long.toString(value);
        }
    }

    /**
     * What a container may use unless its spec adds rules: runc's default allow list (mknod of any
     * node, which alone opens nothing; null, zero, full, random, urandom, tty, ptmx, pts/*) plus
     * /dev/console as Docker allows it. No tun/tap: a container that needs it asks for it.
     */
    public static final List<Rule> DEFAULTS = List.of(
            new Rule(true, 'c', ANY, ANY, "m"),
            new Rule(true, 'b', ANY, ANY, "m"),
            new Rule(true, 'c', 1, 3, "rwm"),     // null
            new Rule(true, 'c', 1, 5, "rwm"),     // zero
            new Rule(true, 'c', 1, 7, "rwm"),     // full
            new Rule(true, 'c', 1, 8, "rwm"),     // random
            new Rule(true, 'c', 1, 9, "rwm"),     // urandom
            new Rule(true, 'c', 5, 0, "rwm"),     // tty
            new Rule(true, 'c', 5, 1, "rwm"),     // console
            new Rule(true, 'c', 5, 2, "rwm"),     // ptmx
            new Rule(true, 'c', 136, ANY, "rwm")  // pts/*
    );

    private record Key(char type, long major, long minor) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byType = Character.compare(type, other.type);
            if (byType != 0) {
                return byType;
            }
            int byMajor = Long.compare(major, other.major);
            return byMajor != 0 ? byMajor : Long.compare(minor, other.minor);
        }
    }

    private boolean defaultAllow = true;
    private final Map<Key, String> exceptions = new TreeMap<>();

    /** A fresh cgroup: everything allowed. */
    public DeviceRules() {
    }

    /** The container's rules: deny everything, allow {@link #DEFAULTS}, then {@code extra} in order. */
    public static DeviceRules forContainer(List<Rule> extra) {
        DeviceRules rules = new DeviceRules();
        rules.apply(new Rule(false, 'a', ANY, ANY, "rwm"));
        DEFAULTS.forEach(rules::apply);
        extra.forEach(rules::apply);
        return rules;
    }

    public boolean defaultAllow() {
        return defaultAllow;
    }

    /** The exceptions to the default, ordered by type, major, minor (each the opposite of the default). */
    public List<Rule> exceptions() {
        List<Rule> out = new ArrayList<>();
        exceptions.forEach((key, access) -> out.add(new Rule(!defaultAllow, key.type, key.major, key.minor, access)));
        return out;
    }

    /** Applies one rule as the v1 kernel would; throws IllegalArgumentException for a hole in a wildcard. */
    public void apply(Rule rule) {
        if (rule.type() == 'a') {
            defaultAllow = rule.allow();
            exceptions.clear();
            return;
        }
        Key key = new Key(rule.type(), rule.major(), rule.minor());
        if (rule.allow() != defaultAllow) {
            exceptions.merge(key, rule.access(), (a, b) -> canonical(a + b));
        } else {
            remove(key, rule);
        }
    }

    private void remove(Key key, Rule rule) {
        for (Key wider : List.of(new Key(key.type, ANY, key.minor), new Key(key.type, key.major, ANY),
                new Key(key.type, ANY, ANY))) {
            String held = exceptions.get(wider);
            if (!wider.equals(key) && held != null && !intersect(held, rule.access()).isEmpty()) {
                throw new IllegalArgumentException("rule '" + rule.kernelForm() + "' would punch a hole in '"
                        + new Rule(!defaultAllow, wider.type, wider.major, wider.minor, held).kernelForm()
                        + "', which the devices cgroup cannot do");
            }
        }
        String left = exceptions.getOrDefault(key, "").replaceAll("[" + rule.access() + "]", "");
        if (left.isEmpty()) {
            exceptions.remove(key);
        } else {
            exceptions.put(key, left);
        }
    }

    /** The access this set's exception for one device (or wildcard) holds, or "" if it has none. */
    public String exceptionAccess(char type, long major, long minor) {
        return exceptions.getOrDefault(new Key(type, major, minor), "");
    }

    private static String intersect(String a, String b) {
        return a.replaceAll("[^" + b + "]", "");
    }

    /** {@code access} as a subset of rwm in that order; anything else is an IllegalArgumentException. */
    public static String canonical(String access) {
        if (access == null || access.isEmpty() || !access.chars().allMatch(c -> c == 'r' || c == 'w' || c == 'm')) {
            throw new IllegalArgumentException("access '" + access + "' must be made of r, w and m");
        }
        StringBuilder out = new StringBuilder();
        for (char c : "rwm".toCharArray()) {
            if (access.indexOf(c) >= 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeviceRules rules && rules.defaultAllow == defaultAllow
                && rules.exceptions.equals(exceptions);
    }

    @Override
    public int hashCode() {
        return exceptions.hashCode() * 31 + Boolean.hashCode(defaultAllow);
    }

    @Override
    public String toString() {
        return (defaultAllow ? "allow" : "deny") + " by default, except " + exceptions();
    }
}
