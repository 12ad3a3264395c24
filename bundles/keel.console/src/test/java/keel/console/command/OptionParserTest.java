package keel.console.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;

class OptionParserTest {
    static final List<Option> OPTIONS = List.of(Option.flag("interactive", 'i', "keep stdin"),
            Option.flag("tty", 't', "a terminal"), Option.value("name", (char) 0, "NAME", "the name"),
            Option.value("env", 'e', "K=V", "a variable"));

    @Test
    void parsesLongShortGroupedAndInlineForms() {
        Arguments a = OptionParser.parse("run", OPTIONS, List.of("-it", "--name=web", "-eA=1", "img", "cmd"), false);
        assertEquals(Map.of("interactive", List.of("true"), "tty", List.of("true"), "name", List.of("web"), "env",
                List.of("A=1")), a.values());
        assertEquals(List.of("img", "cmd"), a.operands());
        Arguments b = OptionParser.parse("run", OPTIONS, List.of("--name", "db", "-e", "B=2"), false);
        assertEquals("db", b.value("name").orElseThrow());
        assertEquals("B=2", b.value("env").orElseThrow());
        Arguments c = OptionParser.parse("run", OPTIONS, List.of("-e", "A=1", "--env", "B=2", "-eC=3"), false);
        assertEquals(List.of("A=1", "B=2", "C=3"), c.all("env"));
    }

    @Test
    void optionsCanStopAtTheFirstOperandForCommandsThatPassTheRestOn() {
        Arguments a = OptionParser.parse("exec", OPTIONS, List.of("-i", "ct", "ls", "-la", "--name"), true);
        assertEquals(List.of("ct", "ls", "-la", "--name"), a.operands());
        Arguments b = OptionParser.parse("x", OPTIONS, List.of("--", "-t"), false);
        assertEquals(List.of("-t"), b.operands());
    }

    @Test
    void unknownOptionsAndMissingValuesAreErrorsNamingThem() {
        KeelException unknown = assertThrows(KeelException.class,
                () -> OptionParser.parse("run", OPTIONS, List.of("--bogus"), false));
        assertEquals("unknown option --bogus for 'keel run'; see 'keel run --help'", unknown.getMessage());
        KeelException shortUnknown = assertThrows(KeelException.class,
                () -> OptionParser.parse("run", OPTIONS, List.of("-x"), false));
        assertTrue(shortUnknown.getMessage().startsWith("unknown option -x"));
        KeelException missing = assertThrows(KeelException.class,
                () -> OptionParser.parse("run", OPTIONS, List.of("--name"), false));
        assertEquals("option --name of 'keel run' needs a value", missing.getMessage());
        KeelException flagValue = assertThrows(KeelException.class,
                () -> OptionParser.parse("run", OPTIONS, List.of("--tty=yes"), false));
        assertTrue(flagValue.getMessage().contains("takes no value"));
    }
}
