/**
 * The image model, shaped on the OCI image-spec (index, manifest, config, descriptors by digest), references, and the image format and registry driver contracts.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package keel.api.image;
