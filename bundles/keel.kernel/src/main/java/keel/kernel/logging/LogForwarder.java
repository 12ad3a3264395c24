package keel.kernel.logging;

import static org.osgi.service.component.annotations.ReferenceCardinality.MULTIPLE;
import static org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what bundles log through the OSGi Log Service (SCR, fileinstall, ...) to SLF4J, so that the
 * one logback.xml decides where it goes: one line on the terminal, the stack trace in the log file.
 */
@Component(immediate = true)
public class LogForwarder {
    private final LogListener listener = LogForwarder::forward;

    @Reference(cardinality = MULTIPLE, policy = DYNAMIC, unbind = "removeReader")
    void addReader(LogReaderService reader) {
        reader.addLogListener(listener);
    }

    void removeReader(LogReaderService reader) {
        reader.removeLogListener(listener);
    }

    static void forward(LogEntry entry) {
        String bundle = entry.getBundle() == null ? "framework" : entry.getBundle().getSymbolicName();
        Logger log = LoggerFactory.getLogger("osgi." + bundle);
        String message = entry.getMessage();
        Throwable e = entry.getException();
        switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> log.error(message, e);
            case WARN -> log.warn(message, e);
            case INFO -> log.info(message, e);
            default -> log.debug(message, e);
        }
    }
}
