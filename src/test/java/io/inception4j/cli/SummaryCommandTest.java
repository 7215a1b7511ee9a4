package io.inception4j.cli;

import io.inception4j.Cli;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryCommandTest {
    @Test
    void printsOneRowPerBlockAndTotals() {
        Cli r = Cli.run("summary", "configs/models/inception-v1.yaml");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("inception_4e\\s+inception\\s+14x14x832\\s+868,352\\s+169,996,288\\s*")), r.out());
        assertTrue(r.out().contains("parameters: 13,378,280 with auxiliary heads, 6,998,552 without"));
    }

    @Test
    void everyCommandHasHelp() {
        Cli top = Cli.run("--help");
        assertEquals(0, top.exitCode());
        for (String cmd : new picocli.CommandLine(new Main()).getSubcommands().keySet()) {
            if (cmd.equals("help")) continue;
            assertTrue(top.out().contains("  " + cmd + " "), cmd + " listed");
            Cli r = Cli.run(cmd, "--help");
            assertEquals(0, r.exitCode(), cmd + " --help");
            assertTrue(r.out().startsWith("Usage: inception4j " + cmd), cmd + ": " + r.out());
        }
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertEquals(2, Cli.run("bogus").exitCode());
    }
}
