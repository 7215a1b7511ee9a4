package io.inception4j.cli;

import io.inception4j.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first screens a new user reads: whole sentences, nothing cut off at 80 columns. */
class HelpTextTest {
    private static Map<String, CommandLine> commands() {
        return new CommandLine(new Main()).getSubcommands();
    }

    @Test
    void everyCommandsSummaryIsACompleteSentenceOnItsOwnLineOfTheMainHelp() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.exitCode());
        List<String> lines = help.out().lines().toList();
        for (var e : commands().entrySet()) {
            var usage = e.getValue().getCommandSpec().usageMessage(); // picocli lists the header, else the description
            String summary = (usage.header().length > 0 ? usage.header()[0] : usage.description()[0]).replace("%n", "").strip();
            assertTrue(summary.endsWith("."), e.getKey() + ": summary is not a sentence: " + summary);
            assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith(e.getKey() + " ") && l.strip().endsWith(summary)),
                    e.getKey() + ": the main help does not show the whole summary '" + summary + "' on one line:\n" + help.out());
        }
    }

    @Test
    void noCommandsHelpIsWiderThan80ColumnsOrBreaksASentenceByHand() {
        for (var e : commands().entrySet()) {
            for (String text : e.getValue().getCommandSpec().usageMessage().description()) {
                String paragraph = text.replace("%n", "").strip(); // picocli's own help command ends in a line break
                assertTrue(paragraph.matches("(?s).*[.:)]"), e.getKey() + ": a description line ends mid-sentence: '" + paragraph + "'");
            }
            String usage = e.getValue().getUsageMessage();
            for (String line : usage.lines().toList()) {
                assertTrue(line.length() <= 80, e.getKey() + ": help line wider than 80 columns: '" + line + "'");
            }
        }
    }
}
