package keel.api.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;

class ContainerStatusTest {

    @Test
    void legalMovesReturnTheTarget() {
        assertEquals(ContainerStatus.RUNNING, ContainerStatus.CREATED.checkMove("c1", ContainerStatus.RUNNING));
        assertEquals(ContainerStatus.PAUSED, ContainerStatus.RUNNING.checkMove("c1", ContainerStatus.PAUSED));
        assertEquals(ContainerStatus.RUNNING, ContainerStatus.PAUSED.checkMove("c1", ContainerStatus.RUNNING));
        assertEquals(ContainerStatus.REMOVED, ContainerStatus.STOPPED.checkMove("c1", ContainerStatus.REMOVED));
        assertEquals(ContainerStatus.RUNNING, ContainerStatus.STOPPED.checkMove("c1", ContainerStatus.RUNNING));
    }

    @Test
    void anIllegalMoveNamesTheContainerAndBothStates() {
        KeelException e = assertThrows(KeelException.class,
                () -> ContainerStatus.PAUSED.checkMove("web", ContainerStatus.CREATED));
        assertEquals(ErrorKind.CONFLICT, e.kind());
        assertEquals("container web cannot go from paused to created", e.getMessage());
    }

    @Test
    void removingARunningContainerSaysWhatToDo() {
        KeelException e = assertThrows(KeelException.class,
                () -> ContainerStatus.RUNNING.checkMove("web", ContainerStatus.REMOVED));
        assertTrue(e.getMessage().endsWith("stop it first, or use rm -f"), e.getMessage());
    }

    @Test
    void removedIsFinal() {
        for (ContainerStatus to : ContainerStatus.values()) {
            assertThrows(KeelException.class, () -> ContainerStatus.REMOVED.checkMove("x", to));
        }
    }

    @Test
    void noStateMovesToItself() {
        for (ContainerStatus s : ContainerStatus.values()) {
            assertTrue(!s.canMoveTo(s), s + " must not move to itself");
        }
    }
}
