package io.baton.evaluation.bpb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import io.baton.common.testing.DataFiles;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.gateway.segmenting.TextTokenizer;
import io.baton.inference.models.SegmentModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bits per byte with a real zoo model (jamba-tiny: Mamba and attention state) in ONNX Runtime. */
class BitsPerByteTest {

    private static final Path JAMBA = Path.of(System.getProperty("baton.zoo.dir", "../models/zoo"), "jamba-tiny");

    private static OrtSession.SessionOptions options;
    private static SegmentModel model;
    private static TextTokenizer tokenizer;
    private static String text;

    @BeforeAll
    static void load() throws Exception {
        options = new OrtSession.SessionOptions();
        model = SegmentModel.load(JAMBA, options);
        tokenizer = TextTokenizer.load(JAMBA);
        // about 1,500 bytes of an address held out from training: 6 or so segments of 256 tokens
        String address = Files.readString(DataFiles.path("corpus/sotu/2004_george_w_bush_r.txt"), StandardCharsets.UTF_8);
        text = address.substring(0, 1500);
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        tokenizer.close();
        options.close();
    }

    @Test
    void carriedStateScoresLikeOnePassOverTheWholeText() {
        BitsPerByte.Result segmented = new BitsPerByte(model, new Segmenter(tokenizer, 256)).measure(text);
        BitsPerByte.Result whole = new BitsPerByte(model, new Segmenter(tokenizer, 2048)).measure(text);
        assertTrue(segmented.segments() >= 5, segmented.segments() + " segments");
        assertEquals(1, whole.segments());
        // the model contract: segments with carried state = one pass (to float tolerance)
        assertEquals(whole.carriedNats(), segmented.carriedNats(), 1e-4 * whole.carriedNats());
        // one segment: carried and reset are the same run
        assertEquals(whole.carriedNats(), whole.resetNats(), 0.0);
        // several: resetting the state changes what the model predicts
        assertNotEquals(segmented.carriedNats(), segmented.resetNats(), 1e-3);
    }

    @Test
    void everyTokenButTheFirstIsScoredAndBytesAreUtf8Bytes() {
        String withAccents = text + " Café, naïve, déjà vu.";
        BitsPerByte.Result r = new BitsPerByte(model, new Segmenter(tokenizer, 256)).measure(List.of(text, withAccents));
        long bytes = text.getBytes(StandardCharsets.UTF_8).length + withAccents.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(2, r.texts());
        assertEquals(bytes, r.bytes());
        assertEquals(bytes, r.tokens(), "the zoo's tokenizers are byte-level");
        assertEquals(r.tokens() - 2, r.scored());
        assertEquals(r.carriedNats() / Math.log(2) / bytes, r.carriedBitsPerByte(), 1e-12);
        assertEquals(r.resetNats() / Math.log(2) / bytes, r.resetBitsPerByte(), 1e-12);
        // a random-initialised byte model is close to uniform over 256 bytes: about 8 bits per byte
        assertTrue(r.carriedBitsPerByte() > 7 && r.carriedBitsPerByte() < 10, "bpb " + r.carriedBitsPerByte());
    }

    @Test
    void heldOutAddressesAre2001To2016() throws IOException {
        assertTrue(HeldOutText.heldOutAddress(Path.of("2001_george_w_bush_r.txt")));
        assertTrue(HeldOutText.heldOutAddress(Path.of("2016_barack_obama_d.txt")));
        assertTrue(!HeldOutText.heldOutAddress(Path.of("2000_william_j_clinton_d.txt")));
        assertTrue(!HeldOutText.heldOutAddress(Path.of("2017_donald_j_trump_r.txt")));
        List<String> texts = HeldOutText.SOTU.texts(DataFiles.dir(), Integer.MAX_VALUE);
        assertEquals(16, texts.size());
    }
}
