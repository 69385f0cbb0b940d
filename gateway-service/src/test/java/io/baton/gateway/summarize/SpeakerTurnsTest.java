package io.baton.gateway.summarize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The share of lines that open with a speaker label: what tells a transcript from prose. */
class SpeakerTurnsTest {

    @Test
    void aTranscriptIsAllTurns() {
        assertEquals(1.0, SpeakerTurns.share("""
                Grad C: Yeah , we had a long discussion about it .
                PhD D: It {disfmarker} it doesn't {disfmarker}
                Project Manager: Okay.
                  Dr. O'Neil-Smith_2: then: we go on
                """));
    }

    @Test
    void blankLinesDoNotCountAndProseIsNone() {
        String prose = """
                The ship came down slowly. Nobody spoke.

                "Captain," she said: "we are late."
                he said: no
                It was late:there was no time.
                """;
        assertEquals(0.0, SpeakerTurns.share(prose));
        assertEquals(0.5, SpeakerTurns.share("A: yes\n\n\nthe end\r\n   \n"));
        assertEquals(0.0, SpeakerTurns.share(""));
        assertEquals(0.0, SpeakerTurns.share("\n \n"));
    }

    @Test
    void aLabelIsShortAndEndsAtAColonBeforeWhitespace() {
        assertEquals(1.0, SpeakerTurns.share("Marketing:\nB:\tyes"), "a colon at the line's end, or before a tab");
        assertEquals(0.0, SpeakerTurns.share("Note:this"), "no whitespace after the colon");
        assertEquals(1.0, SpeakerTurns.share("A" + "b".repeat(SpeakerTurns.MAX_LABEL) + ": at the longest"));
        assertEquals(0.0, SpeakerTurns.share("A" + "b".repeat(SpeakerTurns.MAX_LABEL + 1) + ": too long"));
        assertEquals(0.0, SpeakerTurns.share("Well, Grad A: no"), "a comma is no label's");
    }
}
