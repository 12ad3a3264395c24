package keel.api.network;

import org.osgi.annotation.versioning.ConsumerType;

import keel.api.driver.Driver;

/** Networks and attachments of network namespaces to them, on the CNI model. */
@ConsumerType
public interface NetworkDriver extends Driver {

    NetworkRecord create(NetworkConfig config);

    /** Removes the network; refused (conflict) while attachments use it. */
    void delete(NetworkRecord network);

    /** ADD: attach {@code request.netns()} to {@code network}. */
    Attachment attach(NetworkRecord network, AttachRequest request);

    /** DEL: release everything of the attachment; releasing a gone one is not an error. */
    void detach(Attachment attachment);

    /** CHECK: verify the attachment is intact, or fail naming what is wrong. */
    void check(Attachment attachment);

    /** Take over an attachment made by another instance of a driver. */
    Attachment adopt(Attachment attachment);
}
