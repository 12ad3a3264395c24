/**
 * The network driver contract, shaped on CNI: ADD (attach), DEL (detach) and CHECK of a network namespace on a network.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package keel.api.network;
