package io.pktstore.kv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteSizeTest {
    @Test
    void parsesBinaryMultiples() {
        assertEquals(4096L, ByteSize.parse("4096"));
        assertEquals(256L << 10, ByteSize.parse("256k"));
        assertEquals(512L << 20, ByteSize.parse("512M"));
        assertEquals(3L << 30, ByteSize.parse("3g"));
        assertEquals(3L << 30, ByteSize.parse("3GiB"));
        assertEquals(1L << 40, ByteSize.parse("1tb"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "g", "-1m", "0", "1.5g", "12q", "abc", "99999999999999999999", "9000000t"})
    void rejectsWhatIsNotASizeNamingTheInput(final String text) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
    }
}
