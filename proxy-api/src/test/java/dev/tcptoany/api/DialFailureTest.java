package dev.tcptoany.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class DialFailureTest {

    @Test
    void aDialExceptionReadsAsTheFailureItsCauseChainStandsFor() {
        assertThat(DialFailure.of(new DialFailedException(DialFailure.NOT_ALLOWED, "policy"))).isEqualTo(DialFailure.NOT_ALLOWED);
        assertThat(DialFailure.of(new IOException("tcp x", new ConnectException("connect(..) failed: Connection refused"))))
                .isEqualTo(DialFailure.REFUSED);
        assertThat(DialFailure.of(new IOException("tcp x", new ConnectTimeoutException("connection timed out"))))
                .as("Netty's timeout is a ConnectException too").isEqualTo(DialFailure.TIMEOUT);
        assertThat(DialFailure.of(new ConnectException("connect(..) failed: No route to host"))).isEqualTo(DialFailure.UNREACHABLE);
        assertThat(DialFailure.of(new NoRouteToHostException())).isEqualTo(DialFailure.UNREACHABLE);
        assertThat(DialFailure.of(new UnknownHostException("nx.example"))).isEqualTo(DialFailure.UNREACHABLE);
        assertThat(DialFailure.of(new IllegalStateException("?"))).isEqualTo(DialFailure.UNREACHABLE);
        assertThat(DialFailure.NOT_ALLOWED.key()).isEqualTo("not-allowed");
    }

    @Test
    void aDestinationParsesHostPortAndBracketedIpv6AndNormalisesTheName() {
        assertThat(Destination.parse("Example.ORG.:443")).isEqualTo(new Destination("example.org", 443));
        assertThat(Destination.parse("[2001:db8::1]:22")).isEqualTo(new Destination("2001:db8::1", 22));
        assertThat(new Destination("2001:db8::1", 22)).hasToString("[2001:db8::1]:22");
        for (String bad : new String[] {"example.org", "2001:db8::1:22", "x:0", "x:65536", ":80", "a b:80", "x:http"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Destination.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
