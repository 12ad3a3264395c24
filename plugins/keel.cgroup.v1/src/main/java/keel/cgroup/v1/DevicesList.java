package keel.cgroup.v1;

import keel.cgroup.base.DeviceRules;

/** The v1 devices cgroup's own file: reading {@code devices.list}, and what a transition must deny. */
final class DevicesList {
    private DevicesList() {
    }

    /**
     * Reads v1 {@code devices.list}: {@code a *:* rwm} is allow-all mode (whose deny exceptions the
     * kernel does not list, so {@code complete} is false then); otherwise an allow list.
     */
    static DeviceRules fromList(String list) {
        DeviceRules rules = new DeviceRules();
        rules.apply(new DeviceRules.Rule(false, 'a', DeviceRules.ANY, DeviceRules.ANY, "rwm"));
        for (String line : list.strip().split("\n")) {
            String[] fields = line.strip().split("[ :]");
            if (fields.length != 4) {
                continue;
            }
            char type = fields[0].charAt(0);
            if (type == 'a') {
                return new DeviceRules();
            }
            // an allow rule in deny-by-default mode merges its access into the exception, as the list holds it
            rules.apply(new DeviceRules.Rule(true, type, parse(fields[1]), parse(fields[2]), fields[3]));
        }
        return rules;
    }

    private static long parse(String number) {
        return number.equals("*") ? DeviceRules.ANY : Long.parseLong(number);
    }

    /** The access bits that {@code from} holds beyond what {@code target} holds for its device (for transitions). */
    static String extraAccess(DeviceRules target, DeviceRules.Rule from) {
        String here = target.exceptionAccess(from.type(), from.major(), from.minor());
        return from.access().replaceAll(here.isEmpty() ? "(?!)" : "[" + here + "]", "");
    }
}
