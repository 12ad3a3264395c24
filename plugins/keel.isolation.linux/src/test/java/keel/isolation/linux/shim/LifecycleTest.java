package keel.isolation.linux.shim;

import static keel.isolation.linux.shim.Harness.awaitExit;
import static keel.isolation.linux.shim.Harness.awaitGone;
import static keel.isolation.linux.shim.Harness.log;
import static keel.isolation.linux.shim.Harness.running;
import static keel.isolation.linux.shim.Harness.stderr;
import static keel.isolation.linux.shim.Harness.stdout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import keel.api.isolation.ExitStatus;

/** Starting, ending, failing, attaching, exec, logs: the shim's life around a container. */
@Timeout(60)
class LifecycleTest extends HarnessTest {


    @Test
    void theExitCodeComesBackInExitJson() throws Exception {
        Instant before = Instant.now();
        ExitStatus exit = h.run(state, h.container(state, "sh", "-c", "exit 42"));
        assertEquals(42, exit.code());
        assertEquals(0, exit.signal());
        assertFalse(exit.finishedAt().isBefore(before.minusSeconds(1)));
        assertFalse(Files.exists(state.resolve("attach.sock")), "attach.sock is removed at the end");
        assertTrue(Files.exists(state.resolve("shim.pid")));
    }

    @Test
    void aKilledProcessEndsWith128PlusTheSignal() throws Exception {
        ShimResult r = h.start(h.container(state, "sleep", "60"));
        ProcessHandle.of(r.pid()).orElseThrow().destroyForcibly();   // (PID 1 ignores its namespace's own kill -9)
        ExitStatus exit = awaitExit(state);
        assertEquals(137, exit.code());
        assertEquals(9, exit.signal());
    }

    @Test
    void aMissingCommandIsErrnoTwoAtExec() throws Exception {
        ShimException e = assertThrows(ShimException.class, () -> h.start(h.container(state, "no-such-command")));
        assertEquals(2, e.errno());
        assertEquals("exec", e.stage());
        assertTrue(e.commandNotFound());
        assertEquals(List.of("log.json"), listing(state), "the shim cleans up after an error");
    }

    @Test
    void aFileThatIsNotExecutableCannotBeInvoked() throws Exception {
        Path script = h.rootfs.resolve("bin/notexec");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        ShimException e = assertThrows(ShimException.class, () -> h.start(h.container(state, "/bin/notexec")));
        assertEquals(13, e.errno());
        assertTrue(e.commandNotInvokable());
    }

    @Test
    void abortKillsTheProcessAndRemovesTheStateFiles() throws Exception {
        AtomicInteger pid = new AtomicInteger();
        RuntimeException boom = new IllegalStateException("cgroup setup failed");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> h.start(h.container(state, "sleep", "60"), p -> {
            pid.set(p);
            assertTrue(running(p), "the process exists before GO");
            assertTrue(Files.exists(state.resolve("attach.sock")), "attach.sock exists before PID is sent");
            throw boom;
        }));
        assertSame(boom, thrown);
        assertTrue(awaitGone(pid.get(), Duration.ofSeconds(5)));
        assertEquals(List.of("log.json"), listing(state));
    }

    @Test
    void releasedComesOnceAfterCreatedWithTheSamePidAndBeforeTheLaunchReturns() throws Exception {
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        ShimResult r = h.start(h.container(state, "sh", "-c", "exit 7"), p -> calls.add("created " + p),
                p -> calls.add("released " + p));
        assertEquals(List.of("created " + r.pid(), "released " + r.pid()), calls);
        assertEquals(7, awaitExit(state).code());
    }

    @Test
    void aFailureWhenReleasedKillsTheShimAndItsProcess() throws Exception {
        AtomicInteger pid = new AtomicInteger();
        RuntimeException boom = new IllegalStateException("cannot record it");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> h.start(
                h.container(state, "sleep", "60"), pid::set, p -> {
                    throw boom;
                }));
        assertSame(boom, thrown);
        assertTrue(awaitGone(pid.get(), Duration.ofSeconds(5)), "the container process outlived the failed start");
    }

    @Test
    void aBadMessageIsRejectedBeforeAnythingIsCreated() throws Exception {
        ShimException e = assertThrows(ShimException.class,
                () -> h.start(new ShimMessage().mode(ShimMessage.Mode.RUN).id("x").stateDir(state.toString())));
        assertEquals("message", e.stage());
        assertEquals(22, e.errno());
        assertTrue(e.detail().contains("ARG missing"), e.detail());
        assertEquals(List.of(), listing(state));
        assertEquals("ERROR 22 message not a keel-shim message (bad magic)", rawShim("NOPE\0\1".getBytes()));
        assertEquals("ERROR 22 message unknown record tag 99",
                rawShim(new byte[] { 'K', 'E', 'E', 'L', 0, 1, 0, 99, 0, 0, 0, 0 }));
        assertEquals("ERROR 22 message message version 2, this shim speaks 1",
                rawShim(new byte[] { 'K', 'E', 'E', 'L', 0, 2 }));
        assertTrue(rawShim(new byte[] { 'K', 'E', 'E', 'L', 0, 1, 0, 10, 0x7f, 0, 0, 0 }).contains("over the"));
        ShimException sysctl = assertThrows(ShimException.class,
                () -> h.start(h.container(state, "true").sysctl("kernel.core_pattern", "|/evil")));
        assertTrue(sysctl.detail().contains("not namespaced"), sysctl.detail());
    }

    /** Runs the shim on raw bytes: its first line. */
    private static String rawShim(byte[] input) throws Exception {
        Process p = new ProcessBuilder(Harness.SHIM.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(input);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.strip();
    }

    @Test
    void aTerminalIsTheContainersFirstPty() throws Exception {
        h.run(state, h.container(state, "sh", "-c", "tty; [ -t 0 ] && echo stdin-is-a-tty").tty(true));
        assertEquals("/dev/pts/0\r\nstdin-is-a-tty\r\n", stdout(state));
    }

    @Test
    void initForwardsSignalsAndReturnsTheStatus() throws Exception {
        ShimResult r = h.start(h.container(state, "sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.05; done")
                .init(true));
        for (long end = System.nanoTime() + 10_000_000_000L; !stdout(state).contains("ready") && System.nanoTime() < end; ) {
            Thread.sleep(20);
        }
        ProcessHandle.of(r.pid()).orElseThrow().destroy();      // SIGTERM to PID 1, the init
        assertEquals(3, awaitExit(state).code());
        assertEquals("ready\ngot TERM\n", stdout(state));
    }

    @Test
    void execRunsInTheContainersPidNamespace() throws Exception {
        ShimResult c = h.start(h.container(state, "sleep", "60"));
        Path exec = h.state("exec");
        ShimResult e = h.start(h.exec(exec, c.pid(), "sh", "-c", "ps -o pid,args; hostname"));
        assertEquals(0, awaitExit(exec).code());
        String out = stdout(exec);
        assertTrue(out.contains("    1 sleep 60\n"), out);
        assertTrue(out.endsWith("keeltest\n"), out);
        assertTrue(e.pid() != c.pid());
        ProcessHandle.of(c.pid()).orElseThrow().destroyForcibly();
        assertEquals(137, awaitExit(state).code());
    }

    @Test
    void execOfAMissingCommandFailsAtExec() throws Exception {
        ShimResult c = h.start(h.container(state, "sleep", "60"));
        Path exec = h.state("exec");
        ShimException e = assertThrows(ShimException.class, () -> h.start(h.exec(exec, c.pid(), "nope")));
        assertTrue(e.commandNotFound());
        ProcessHandle.of(c.pid()).orElseThrow().destroyForcibly();
        awaitExit(state);
    }

    @Test
    void attachBeforeGoSeesAllOutputAndFeedsStdin() throws Exception {
        AtomicReference<AttachClient> client = new AtomicReference<>();
        h.start(h.container(state, "sh", "-c",
                "read line; echo \"got $line\"; cat >/dev/null; echo oops >&2; exit 3").openStdin(true), // ends at EOF
                pid -> {
                    try {
                        client.set(AttachClient.connect(state.resolve("attach.sock")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (AttachClient a = client.get()) {
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.copyOutput(out, err);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            a.write("hello\n".getBytes(StandardCharsets.UTF_8));
            a.closeStdin();
            assertEquals(3, code.get(20, TimeUnit.SECONDS));
        }
        assertEquals("got hello\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("oops\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(3, awaitExit(state).code());
        assertEquals("got hello\n", stdout(state));
    }

    @Test
    void attachResizesTheTerminal() throws Exception {
        ShimResult r = h.start(h.container(state, "sh", "-c", "read x; stty size").tty(true).openStdin(true));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AttachClient a = AttachClient.connect(state.resolve("attach.sock"))) {
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.copyOutput(out, out);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            a.resize(40, 100);
            a.write("go\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(0, code.get(20, TimeUnit.SECONDS));
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("40 100\r\n"), out.toString(StandardCharsets.UTF_8));
        assertTrue(r.pid() > 0);
    }

    @Test
    void aFloodOfOutputNeverWaitsForAnAttacherThatDoesNotRead() throws Exception {
        AtomicReference<AttachClient> idle = new AtomicReference<>();
        h.start(h.container(state, "sh", "-c", "seq 1 400000; echo done"), pid -> {   // 2.7 MB
            try {
                idle.set(AttachClient.connect(state.resolve("attach.sock")));   // connected, never read
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (AttachClient a = idle.get()) {
            assertEquals(0, awaitExit(state).code());
            OutputStream discard = OutputStream.nullOutputStream();
            assertThrows(EOFException.class, () -> a.copyOutput(discard, discard), "dropped: no exit frame");
        }
        List<Harness.LogLine> lines = log(state);
        assertEquals(400001, lines.size());
        assertEquals("1\n", lines.get(0).log());
        assertEquals("400000\n", lines.get(399999).log());
        assertEquals("done\n", lines.get(400000).log());
    }

    @Test
    void killingTheShimKillsTheContainer() throws Exception {
        ShimResult r = h.start(h.container(state, "sleep", "1000"));
        assertTrue(running(r.pid()));
        ProcessHandle.of(r.shimPid()).orElseThrow().destroyForcibly();
        assertTrue(awaitGone(r.pid(), Duration.ofSeconds(5)), "no ghost: PR_SET_PDEATHSIG killed the container");
        assertFalse(Files.exists(state.resolve("exit.json")));
    }

    @Test
    void theLogIsJsonFileWithEscapesAndPartialLines() throws Exception {
        h.run(state, h.container(state, "sh", "-c",
                "printf 'a\"b\\\\c\\td\\001e\\n'; printf '\\303\\251\\377\\n' >&2; printf 'no newline'"));
        List<Harness.LogLine> lines = log(state);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(new Harness.LogLine("a\"b\\c\td\u0001e\n", "stdout", lines.get(0).time()), lines.get(0));
        assertEquals("\u00e9\ufffd\n", lines.get(1).log());
        assertEquals("stderr", lines.get(1).stream());
        assertEquals("no newline", lines.get(2).log());
        Instant.parse(lines.get(2).time());
        assertTrue(Files.readString(state.resolve("log.json")).contains("\\u0001"));
    }

    @Test
    void aLineLongerThanTheBufferIsLoggedInParts() throws Exception {
        h.run(state, h.container(state, "sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo; echo next"));
        List<String> parts = log(state).stream().map(Harness.LogLine::log).toList();
        assertEquals(List.of(16384, 16384, 40000 - 2 * 16384 + 1, 5), parts.stream().map(String::length).toList());
        assertEquals("a".repeat(16384), parts.get(0));
        assertEquals("next\n", parts.get(3));
    }

    @Test
    void aRootfsMountIsTheRoot() throws Exception {
        Path upper = Files.createDirectories(h.dir.resolve("upper")), work = Files.createDirectories(h.dir.resolve("work"));
        Path merged = Files.createDirectories(h.dir.resolve("merged"));
        ExitStatus exit = h.run(state, h.container(state, merged, "sh", "-c", "echo hi > /written; cat /written; rm /bin/ls")
                .rootfsMount(0, "overlay", "overlay",
                        "lowerdir=" + h.rootfs + ",upperdir=" + upper + ",workdir=" + work));
        assertEquals(0, exit.code(), stderr(state));
        assertEquals("hi\n", stdout(state));
        assertEquals("hi\n", Files.readString(upper.resolve("written")));
        assertTrue(Files.notExists(h.rootfs.resolve("written")));
        assertTrue(Files.exists(h.rootfs.resolve("bin/ls"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
