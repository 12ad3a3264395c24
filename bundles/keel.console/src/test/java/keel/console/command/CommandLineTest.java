package keel.console.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import keel.api.ErrorKind;
import keel.api.KeelException;

class CommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Invocation io = new Invocation(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), false);

    private final Command echo = new Command() {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public String summary() {
            return "Print the arguments";
        }

        @Override
        public String usage() {
            return "echo [--fail KIND] WORDS";
        }

        @Override
        public List<Option> options() {
            return List.of(Option.value("fail", (char) 0, "KIND", "fail with an error of KIND"));
        }

        @Override
        public int run(Arguments args, Invocation io) {
            if (args.value("fail").isPresent()) {
                throw new KeelException(ErrorKind.valueOf(args.value("fail").get()), "failed as asked");
            }
            io.out().println(String.join(" ", args.operands()));
            return 0;
        }
    };
    private final CommandLine commandLine = new CommandLine(List.of(echo));

    @Test
    void runsACommandWithItsArguments() {
        assertEquals(0, commandLine.execute(List.of("echo", "a", "b"), io));
        assertEquals("a b\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void errorsBecomeOneMessageAndTheExitCodeOfTheirKind() {
        assertEquals(125, commandLine.execute(List.of("echo", "--fail", "NOT_FOUND"), io));
        assertEquals(127, commandLine.execute(List.of("echo", "--fail", "COMMAND_NOT_FOUND"), io));
        assertEquals(126, commandLine.execute(List.of("echo", "--fail", "CANNOT_INVOKE"), io));
        assertEquals("keel: failed as asked\n".repeat(3), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownCommandsAreNamedAndHelpIsEverywhere() {
        assertEquals(125, commandLine.execute(List.of("nope"), io));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'nope'"));
        assertEquals(0, commandLine.execute(List.of("echo", "--help"), io));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: keel echo [--fail KIND] WORDS"));
        out.reset();
        assertEquals(0, commandLine.execute(List.of(), io));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("  echo       Print the arguments"));
    }
}
