package io.baton.gateway.segmenting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The checks a text passes before anything of it is processed. */
class InputTextTest {

    @Test
    void textWithLayoutCharactersAndCharactersOutsideTheBmpIsText() {
        assertThatCode(() -> InputText.check("Call me Ishmael.\tSome years ago\r\n\fnever mind \u000b how long \ud83d\udc33."))
                .doesNotThrowAnyException();
    }

    @Test
    void aFewStrayControlCharactersAreAccepted() {
        String text = "x".repeat(199) + "\u001b";   // 1 in 200: 0.5%
        assertThatCode(() -> InputText.check(text)).doesNotThrowAnyException();
    }

    @Test
    void emptyAndWhitespaceOnlyTextsAreEmpty() {
        for (String text : new String[] {null, "", " ", "\n\t \r\n"}) {
            assertThatThrownBy(() -> InputText.check(text)).isInstanceOf(EmptyTextException.class);
        }
    }

    @Test
    void aNulAnywhereIsBinary() {
        assertThatThrownBy(() -> InputText.check("x".repeat(10_000) + "\u0000"))
                .isInstanceOfSatisfying(BinaryTextException.class, e -> {
                    assertThat(e.type().slug()).isEqualTo("binary-text");
                    assertThat(e.properties()).containsEntry("position", 10_000L);
                });
    }

    @Test
    void moreThanOnePercentOfControlCharactersIsBinary() {
        String text = "x".repeat(97) + "\u0001\u0085\u007f";   // 3 in 100
        assertThatThrownBy(() -> InputText.check(text))
                .isInstanceOfSatisfying(BinaryTextException.class, e -> assertThat(e.properties()).containsEntry("position", 97L).containsEntry("controls", 3L));
    }

    @Test
    void anUnpairedSurrogateIsMalformed() {
        for (String text : new String[] {"a\ud800b", "a\udc00b", "ab\ud83d"}) {
            assertThatThrownBy(() -> InputText.check(text)).isInstanceOf(MalformedTextException.class);
        }
    }
}
