#!/usr/bin/perl

# What nginx refuses before the API reads a request, answered in AMS
# shape with nginx's status (docs/directives.md, sluice_api; docs/api.md,
# errors):
#   - a body announced over 64 KB (over the default client_max_body_size
#     of 1 MB too): 413 RequestEntityTooLarge;
#   - a chunked body over 64 KB, sent at once and sent in pieces (nginx
#     reads it in several passes: the 413 comes back through error_page):
#     413 RequestEntityTooLarge, before the whole body is read;
#   - a malformed chunked body: 400 BadRequest;
#   - with the server-level "error_page 400 414 494 /subscriptions/" of
#     the docs: a NUL in the request line (400 BadRequest), a URI over
#     large_client_header_buffers (414 RequestUriTooLong), a header too
#     large (400 BadRequest: error_page turns nginx's 494 into 400);
#   - an error_page of the location written before sluice_api wins;
#   - nothing of the refused requests was created, and the API still
#     answers.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use IO::Select;
use JSON::PP ();
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();

$t->write_sluice_conf(ingest => 0, packager => 0,
    server => 'error_page 400 414 494 /subscriptions/;
large_client_header_buffers 4 4k;',
    servers => '
    server {
        listen 127.0.0.1:%%PORT_8081%%;

        location ^~ /mine/ {
            client_max_body_size 1k;
            error_page 413 /mine413;
            sluice_api;
        }

        location = /mine413 {
            return 413 "mine\n";
        }

        location ~* ^/subscriptions/ {
            sluice_api;
        }
    }');
$t->expect_errors(qr/client intended to send too large body/,
    qr/client sent invalid chunked body/);
$t->run();

my $key = $t->api_key;
my $path = $t->api_path('assets/big') . '?api-version=2022-08-01';
my $head = "Host: localhost\r\nAuthorization: Bearer $key\r\n"
    . "Content-Type: application/json\r\n";

###############################################################################
# bodies over 64 KB

my $r = $t->api(PUT => 'assets/big', ' ' x (2 * 1024 * 1024));
is($r->{status}, 413, 'announced 2 MB: 413');
ams($r, 'announced 2 MB', 'RequestEntityTooLarge');

$r = $t->api(PUT => 'assets/big', '{"properties":{}}' . (' ' x 70000));
is($r->{status}, 413, 'announced 70 KB: 413');
ams($r, 'announced 70 KB', 'RequestEntityTooLarge');

my $chunk = ' ' x 16000;
my $chunks = join('', map { sprintf("%x\r\n%s\r\n", length $chunk, $chunk) }
    1 .. 9) . "0\r\n\r\n";

$r = parse($t->http_raw("PUT $path HTTP/1.1\r\n$head"
    . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n$chunks"));
is($r->{status}, 413, 'chunked 144 KB at once: 413');
ams($r, 'chunked 144 KB at once', 'RequestEntityTooLarge');

# in pieces: the first read of nginx has the headers and one chunk, the
# 413 comes from a later read; the rest of the body is never needed
local $SIG{PIPE} = 'IGNORE';      # the server may close while we send
my ($s, $reply, $sent) = (connect_to($t->port(8080)), '', 0);
syswrite($s, "PUT $path HTTP/1.1\r\n$head"
    . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    . sprintf("%x\r\n%s\r\n", length $chunk, $chunk));
my $sel = IO::Select->new($s);
my $deadline = time() + 20;

while (time() < $deadline) {
    if ($sel->can_read(0.2)) {
        my $n = sysread($s, my $buf, 65536);
        last unless $n;
        $reply .= $buf;
        next;
    }
    # nothing to read yet: one more chunk, up to 100 of them (1.6 MB)
    last if $sent++ >= 100;
    syswrite($s, sprintf("%x\r\n%s\r\n", length $chunk, $chunk))
        or last;
}
close $s;

$r = parse($reply);
is($r->{status}, 413, 'chunked in pieces: 413');
ams($r, 'chunked in pieces', 'RequestEntityTooLarge');
ok($sent < 100, "chunked in pieces: answered before the body ended"
    . " ($sent chunks after the first)");

$r = parse($t->http_raw("PUT $path HTTP/1.1\r\n$head"
    . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    . "zz\r\n{}\r\n0\r\n\r\n"));
is($r->{status}, 400, 'malformed chunked body: 400');
ams($r, 'malformed chunked body', 'BadRequest');

###############################################################################
# refused before a location is chosen: the server's error_page

$r = parse($t->http_raw('GET ' . $t->api_path('assets/a') . "\0x"
    . "?api-version=2022-08-01 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
is($r->{status}, 400, 'NUL in the request line: 400');
ams($r, 'NUL in the request line', 'BadRequest');

$r = parse($t->http_raw('GET ' . $t->api_path('assets/' . ('a' x 5000))
    . "?api-version=2022-08-01 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
is($r->{status}, 414, 'URI of 5 KB: 414');
ams($r, 'URI of 5 KB', 'RequestUriTooLong');

$r = parse($t->http_raw('GET ' . $t->api_path('assets')
    . "?api-version=2022-08-01 HTTP/1.1\r\nHost: localhost\r\n"
    . 'X-Big: ' . ('b' x 5000) . "\r\n\r\n"));
is($r->{status}, 400, 'header of 5 KB: 400');
ams($r, 'header of 5 KB', 'BadRequest');

###############################################################################
# the location's own error_page, written before sluice_api, wins

$r = parse($t->http_raw("PUT /mine/x HTTP/1.1\r\nHost: localhost\r\n"
    . "Content-Length: 2048\r\nConnection: close\r\n\r\n" . ('x' x 2048),
    port => $t->port(8081)));
is($r->{status}, 413, 'own error_page: 413');
is($r->{body}, "mine\n", 'own error_page: its page');

# the other server has no server-level error_page: nginx's own 400 for a
# NUL, AMS shape for what reaches the location
$r = parse($t->http_raw("GET /subscriptions/a\0x HTTP/1.1\r\n"
    . "Host: localhost\r\n\r\n", port => $t->port(8081)));
is($r->{status}, 400, 'no server error_page: NUL: 400');
like($r->{headers}{'content-type'} // '', qr{^text/html},
    'no server error_page: NUL: nginx\'s page');

$r = $t->api(PUT => 'assets/big', ' ' x (2 * 1024 * 1024),
    port => $t->port(8081));
is($r->{status}, 413, 'no server error_page: 2 MB: 413');
ams($r, 'no server error_page: 2 MB', 'RequestEntityTooLarge');

###############################################################################
# nothing created, the API still answers

is($t->api(GET => 'assets/big')->{status}, 404, 'nothing was created');
is($t->api(PUT => 'assets/small', { properties => {} })->{status}, 201,
    'a body under 64 KB creates');
$r = $t->api(GET => 'assets');
is($r->{status}, 200, 'the API still lists');
is(scalar @{$r->{json}{value} // []}, 1, 'one asset');

$t->stop();
$t->check_log();

done_testing();

###############################################################################

sub connect_to {
    my ($port) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
        Timeout => 10) or die "connect: $!";
    binmode $s;
    return $s;
}

# a raw answer: status, lower-case headers, body (chunked decoded), json
sub parse {
    my ($raw) = @_;

    my %r = (status => 0, headers => {}, body => '');
    return \%r unless defined $raw
        && $raw =~ /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n(.*)\z/s;

    my ($head, $body) = ($2, $3);
    $r{status} = $1;
    for my $line (split /\r\n/, $head) {
        $r{headers}{lc $1} = $2 if $line =~ /^([^:]+):\s*(.*)$/;
    }
    if (($r{headers}{'transfer-encoding'} // '') =~ /chunked/i) {
        my $out = '';
        while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
            my $n = hex $1;
            last if $n == 0;
            $out .= substr($body, 0, $n, '');
            $body =~ s/^\r\n//;
        }
        $body = $out;
    }
    $r{body} = $body;
    $r{json} = eval { JSON::PP->new->decode($body) } if length $body;
    return \%r;
}

sub ams {
    my ($r, $what, $code) = @_;

    my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} : undef;
    ok(ref $e eq 'HASH' && ($e->{code} // '') eq $code
       && length($e->{message} // ''), "$what: AMS error $code")
        or diag(substr($r->{body}, 0, 300));
    like($r->{headers}{'content-type'} // '', qr{^application/json},
        "$what: application/json");
}
