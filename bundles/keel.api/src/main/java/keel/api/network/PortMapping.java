package keel.api.network;

/** A published port: {@code hostIp:hostPort -> containerPort/protocol}; hostIp null means all. */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
}
