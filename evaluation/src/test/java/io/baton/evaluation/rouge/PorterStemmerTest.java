package io.baton.evaluation.rouge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stemmer against NLTK's default PorterStemmer, word by word. */
class PorterStemmerTest {

    private final PorterStemmer stemmer = new PorterStemmer();

    @Test
    void everyWordOfTheNltkListGetsNltksStem() throws IOException {
        List<String> lines = Files.readAllLines(DataFiles.path("eval/rouge/porter_nltk_stems.tsv"), StandardCharsets.UTF_8);
        List<String> mismatches = new ArrayList<>();
        int words = 0;
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t");
            words++;
            String stem = stemmer.stem(fields[0]);
            if (!stem.equals(fields[1])) {
                mismatches.add(fields[0] + ": NLTK " + fields[1] + ", here " + stem);
            }
        }
        assertEquals(12_400, words, "words in porter_nltk_stems.tsv");
        assertEquals(List.of(), mismatches, mismatches.size() + " of " + words + " words differ");
    }

    @Test
    void nltkDeparturesFromTheOriginalAlgorithm() {
        assertEquals("sky", stemmer.stem("skies"));      // irregular form
        assertEquals("die", stemmer.stem("dies"));       // 4-letter ies -> ie
        assertEquals("die", stemmer.stem("died"));       // 4-letter ied -> ie
        assertEquals("spi", stemmer.stem("spied"));      // ied -> i
        assertEquals("happi", stemmer.stem("happy"));    // y -> i after a consonant
        assertEquals("enjoy", stemmer.stem("enjoy"));    // not after a vowel
        assertEquals("by", stemmer.stem("by"));          // two letters stay
        assertEquals("gener", stemmer.stem("generalization"));
        assertEquals("geolog", stemmer.stem("geology"));
    }

    @Test
    void classicExamplesOfPorters1980Paper() {
        assertEquals("caress", stemmer.stem("caresses"));
        assertEquals("poni", stemmer.stem("ponies"));
        assertEquals("hop", stemmer.stem("hopping"));
        assertEquals("file", stemmer.stem("filing"));
        assertEquals("relat", stemmer.stem("relational"));
        assertEquals("adjust", stemmer.stem("adjustment"));
        assertEquals("control", stemmer.stem("controlling"));
        assertTrue(PorterStemmer.measure("troubles") == 2 && PorterStemmer.measure("tree") == 0);
    }
}
