#!/usr/bin/perl

# Security: every rule in one place, each a named check that fails when
# the rule is broken, with real clients (HTTP::Tiny, raw sockets, ffmpeg
# and the Perl RTMP publisher):
#
#   keys      the API answers only a valid key (401 AMS-shaped otherwise,
#             for every method, nothing changed);
#   names     path traversal through every name the API takes ("..",
#             "%2e%2e", "%2F", "%00", overlong UTF-8 "%c0%ae",
#             backslashes, very long names) in assets, asset containers,
#             account and asset filters, streaming locators, live events,
#             live outputs, streaming policies, content key policies and
#             streaming endpoints, in the path and in the bodies: refused
#             with AMS's error shape, and the nginx workers, traced with
#             strace, touch no file outside the test directory and create
#             nothing outside the data directory;
#   AMS name rules of streamingservice.json (live events, live outputs,
#             streaming endpoints) and Sluice's for the others;
#   packager  the streaming URLs with the same tricks in the locator, the
#             manifest name, the track and the filter: 400 or 404, no
#             file read outside;
#   bodies    over 64 KB: 413, AMS-shaped; JSON
#             nested deeper than 64: 400 AMS-shaped;
#   ingest    RTMP with a wrong token, or from an address the live event
#             does not allow: closed, one log line, nothing stored;
#   endpoint  the streaming endpoint's IP allow-list: 403 to the others.
#
# The Akamai signature header check of a streaming endpoint is in
# t/123-akamai-g2o.t.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use IPC::Run ();
use JSON::PP ();
use File::Find ();
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::RTMP;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'strace');

# 127.0.0.2 is a second client address on the loopback
IO::Socket::INET->new(LocalAddr => '127.0.0.2', Proto => 'tcp')
    or $t->skip_all('no 127.0.0.2 on this machine');

Sluice::Playback::config($t);
$t->expect_errors(qr/sluice: publish refused: /,
    qr/client intended to send too large body/);
$t->run();

my $dir = $t->testdir;
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);

# a file outside the data directory a traversal would aim at
$t->write_file('outside/secret.m4s', 'secret');
my %before = files_outside_data();

###############################################################################
# keys: the API only with a valid key

my $key = $t->api_key;
my @bad_keys = (
    [ 'no Authorization', undef ],
    [ 'wrong key', 'Bearer not-the-key' ],
    [ 'the key with a byte more', "Bearer ${key}x" ],
    [ 'the key less a byte', 'Bearer ' . substr($key, 0, -1) ],
    [ 'the key in upper case', 'Bearer ' . uc $key ],
    [ 'Basic scheme', 'Basic ' . $key ],
    [ 'empty bearer', 'Bearer ' ],
    [ 'the key with a space appended', "Bearer $key x" ],
);

for my $b (@bad_keys) {
    my ($what, $auth) = @$b;

    for my $m ([ GET => 'liveEvents' ], [ PUT => 'assets/keyless' ],
               [ PATCH => 'assets/keyed' ], [ DELETE => 'assets/keyed' ],
               [ POST => 'liveEvents/x/start' ])
    {
        my $r = $t->api($m->[0], $m->[1],
            $m->[0] =~ /^(?:PUT|PATCH|POST)$/ ? { properties => {} } : undef,
            key => '', headers => { defined $auth
                                    ? (Authorization => $auth) : () });
        is($r->{status}, 401, "key: $what: $m->[0] $m->[1] 401")
            or diag($r->{body});
        ams_error($r, "key: $what: $m->[0]", qr/^Authentication/);
    }
}

# a NUL after the key, which HTTP::Tiny would not send
my $nul = $t->http_raw('GET ' . $t->api_path('liveEvents')
    . "?api-version=2022-08-01 HTTP/1.0\r\nHost: localhost\r\n"
    . "Authorization: Bearer $key\0\r\n\r\n") // '';
like($nul, qr{^HTTP/1\.1 (?:400|401) }, 'key: the key with a NUL: refused');
unlike($nul, qr/"value"/, 'key: the key with a NUL: no list');

is($t->api(GET => 'assets/keyless')->{status}, 404,
    'key: nothing was created without a key');
is($t->api(PUT => 'assets/keyed', { properties => {} })->{status}, 201,
    'key: the valid key creates');
is($t->api(GET => 'assets/keyed', undef, query => "access_token=$key",
    key => '')->{status}, 401, 'key: a key in the query string is not one');
is($t->api(GET => 'assets/keyed')->{json}{properties}{description}, undef,
    'key: the asset was not patched without a key');

###############################################################################
# names: traversal in every name the API takes

# the attacks, as sent on the wire in a path segment
my @attacks = (
    [ 'dot-dot', '..' ],
    [ 'dot', '.' ],
    [ 'encoded dot-dot', '%2e%2e' ],
    [ 'encoded dot-dot, upper case', '%2E%2E' ],
    [ 'dot-dot with encoded slashes', '..%2F..%2F..%2Foutside%2Fpwned' ],
    [ 'encoded slash landing on a name', 'x%2F..%2Fpwned' ],
    [ 'all encoded', '%2e%2e%2f%2e%2e%2f%2e%2e%2foutside%2fpwned' ],
    [ 'double-encoded dot-dot', '%252e%252e%252fpwned' ],
    [ 'NUL', 'pwned%00.json' ],
    [ 'overlong UTF-8 dot-dot', '%c0%ae%c0%ae' ],
    [ 'overlong UTF-8 slash', '%c0%ae%c0%ae%c0%afpwned' ],
    [ 'encoded backslashes', '..%5c..%5coutside%5cpwned' ],
    [ 'backslashes', '..\\..\\outside\\pwned' ],
    [ 'a leading dot', '.pwned' ],
    [ 'very long', 'p' x 3000 ],
);

# the requests nginx itself refuses (400) before any module sees them:
# a NUL, and dot-dot segments that climb above the root
my %by_nginx = ('NUL' => 1);

my %bodies = (
    assets => { properties => {} },
    accountFilters => { properties => {} },
    assetFilters => { properties => {} },
    streamingLocators => { properties => { assetName => 'a1',
        streamingPolicyName => 'Predefined_ClearStreamingOnly' } },
    liveEvents => { location => 'here', properties => {
        input => { streamingProtocol => 'RTMP' } } },
    liveOutputs => sub { { properties => { assetName => new_asset(),
        archiveWindowLength => 'PT5M' } } },
    streamingPolicies => { properties => { noEncryption => {
        enabledProtocols => { hls => JSON::PP::true(), dash => JSON::PP::true(),
            smoothStreaming => JSON::PP::true(),
            download => JSON::PP::false() } } } },
    contentKeyPolicies => { properties => { options => [ {
        configuration => { '@odata.type' =>
            '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
        restriction => { '@odata.type' =>
            '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } },
    streamingEndpoints => { location => 'here',
        properties => { scaleUnits => 0 } },
);

is($t->api(PUT => 'assets/a1', $bodies{assets})->{status}, 201,
    'names: asset a1');
is($t->api(PUT => 'liveEvents/ev0', $bodies{liveEvents})->{status}, 201,
    'names: live event ev0');

# [ label, the path with NAME in it, the body's type, a valid name ]
my @routes = (
    [ 'asset', 'assets/NAME', 'assets', 'valid1' ],
    [ 'asset filter', 'assets/a1/assetFilters/NAME', 'assetFilters',
      'valid1' ],
    [ 'asset of an asset filter', 'assets/NAME/assetFilters/f1',
      'assetFilters', 'a1' ],
    [ 'account filter', 'accountFilters/NAME', 'accountFilters', 'valid1' ],
    [ 'streaming locator', 'streamingLocators/NAME', 'streamingLocators',
      'valid1' ],
    [ 'live event', 'liveEvents/NAME', 'liveEvents', 'valid1' ],
    [ 'live output', 'liveEvents/ev0/liveOutputs/NAME', 'liveOutputs',
      'valid1' ],
    [ 'live event of a live output', 'liveEvents/NAME/liveOutputs/o1',
      'liveOutputs', 'ev0' ],
    [ 'streaming policy', 'streamingPolicies/NAME', 'streamingPolicies',
      'valid1' ],
    [ 'content key policy', 'contentKeyPolicies/NAME', 'contentKeyPolicies',
      'valid1' ],
    [ 'streaming endpoint', 'streamingEndpoints/NAME', 'streamingEndpoints',
      'valid1' ],
);

my $trace = trace_workers('api');

for my $route (@routes) {
    my ($what, $path, $type, $valid) = @$route;

    (my $ok = $path) =~ s/NAME/$valid/;
    my $r = $t->api(PUT => $ok, body($type));
    like($r->{status}, qr/^20[01]$/, "names: $what '$valid' is accepted")
        or diag($r->{body});

    for my $a (@attacks) {
        my ($how, $name) = @$a;

        (my $p = $path) =~ s/NAME/$name/;

        for my $m (qw(PUT GET DELETE)) {
            $r = $t->api($m => $p, $m eq 'PUT' ? body($type) : undef);
            refused($r, "names: $what, $how: $m", $by_nginx{$how});
        }
    }
}

# the names that bodies carry

my @body_names = (
    [ 'asset container', 'assets/c1', sub {
        { properties => { container => $_[0] } } } ],
    [ 'live output assetName', 'liveEvents/ev0/liveOutputs/o2', sub {
        { properties => { assetName => $_[0],
                          archiveWindowLength => 'PT5M' } } } ],
    [ 'live output manifestName', 'liveEvents/ev0/liveOutputs/o3', sub {
        { properties => { assetName => 'a1', manifestName => $_[0],
                          archiveWindowLength => 'PT5M' } } } ],
    [ 'locator assetName', 'streamingLocators/l2', sub {
        { properties => { assetName => $_[0],
            streamingPolicyName => 'Predefined_ClearStreamingOnly' } } } ],
    [ 'locator streamingPolicyName', 'streamingLocators/l3', sub {
        { properties => { assetName => 'a1',
                          streamingPolicyName => $_[0] } } } ],
    [ 'locator filters', 'streamingLocators/l4', sub {
        { properties => { assetName => 'a1', filters => [ $_[0] ],
            streamingPolicyName => 'Predefined_ClearStreamingOnly' } } } ],
);

my @body_attacks = (
    [ 'dot-dot', '..' ],
    [ 'dot-dot slash', '../../outside/pwned' ],
    [ 'encoded dot-dot', '%2e%2e%2fpwned' ],
    [ 'NUL', "a1\0../../pwned" ],
    [ 'overlong UTF-8', "\xc0\xae\xc0\xae\xc0\xafpwned" ],
    [ 'backslashes', '..\\..\\pwned' ],
    [ 'a leading dot', '.a1' ],
    [ 'very long', 'p' x 3000 ],
);

for my $bn (@body_names) {
    my ($what, $path, $body) = @$bn;

    for my $a (@body_attacks) {
        my ($how, $name) = @$a;

        # raw bytes: the overlong sequence is sent as it is, not as UTF-8
        my $json = JSON::PP->new->canonical->encode($body->($name));
        $json =~ s/\\u00c0\\u00ae/\xc0\xae/g;

        my $r = $t->api(PUT => $path, $json);
        refused($r, "names: $what, $how");
    }

    is($t->api(GET => $path)->{status}, 404, "names: $what: nothing made");
}

my @seen = stop_trace($trace);
ok(@seen > 10, 'names: the workers were traced') or diag(scalar @seen);
no_file_outside('names', @seen);

is_deeply({ files_outside_data() }, \%before,
    'names: nothing created or changed outside the data directory');
ok(!-e "$dir/data/api/assets/pwned.json",
    'names: no asset "pwned" by way of an encoded slash');

###############################################################################
# AMS name rules (streamingservice.json; Sluice's for the others)

my @rules = (
    # live events: ^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$, 1 to 32
    [ 'liveEvents', 'a' x 32, 1 ], [ 'liveEvents', 'a' x 33, 0 ],
    [ 'liveEvents', 'a--b', 1 ], [ 'liveEvents', '-ab', 0 ],
    [ 'liveEvents', 'ab-', 0 ], [ 'liveEvents', 'a_b', 0 ],
    [ 'liveEvents', 'a.b', 0 ],
    # live outputs: the same pattern
    [ 'liveEvents/ev0/liveOutputs', 'o-1', 1 ],
    [ 'liveEvents/ev0/liveOutputs', 'o_1', 0 ],
    [ 'liveEvents/ev0/liveOutputs', 'o.1', 0 ],
    [ 'liveEvents/ev0/liveOutputs', '-o1', 0 ],
    # streaming endpoints: the same pattern, 1 to 24
    [ 'streamingEndpoints', 'e' x 24, 1 ],
    [ 'streamingEndpoints', 'e' x 25, 0 ],
    [ 'streamingEndpoints', 'e_1', 0 ],
    # the others: letters, digits, '-', '_', '.' (not first), 1 to 200
    [ 'assets', 'a_b.c-d', 1 ], [ 'assets', 'a' x 200, 1 ],
    [ 'assets', 'a' x 201, 0 ], [ 'assets', '.a', 0 ],
    [ 'assets', 'a%20b', 0 ], [ 'assets', 'a%C3%A9', 0 ],
    # filters: 1 to 128
    [ 'accountFilters', 'f' x 128, 1 ], [ 'accountFilters', 'f' x 129, 0 ],
);

for my $rule (@rules) {
    my ($coll, $name, $ok) = @$rule;
    my ($type) = $coll =~ m{(\w+)$};
    my $shown = length $name > 40 ? length($name) . ' characters' : $name;

    my $r = $t->api(PUT => "$coll/$name", body($type));

    if ($ok) {
        like($r->{status}, qr/^20[01]$/, "AMS names: $type '$shown' accepted")
            or diag($r->{body});
    } else {
        is($r->{status}, 400, "AMS names: $type '$shown' refused");
        is(ams_code($r), 'InvalidResourceName',
            "AMS names: $type '$shown': InvalidResourceName");
    }
}

###############################################################################
# bodies: bounded size and JSON depth

my $limit = 65536;
my $api_path = $t->api_path('assets/big') . '?api-version=2022-08-01';

# a body of exactly the limit is read (then refused as a document or not)
my $pad = '{"properties":{}}';
my $r = $t->api(PUT => 'assets/big', $pad . (' ' x ($limit - length $pad)));
is($r->{status}, 201, 'bodies: 64 KB exactly is read');

$r = $t->api(PUT => 'assets/big2', $pad . (' ' x ($limit + 1 - length $pad)));
is($r->{status}, 413, 'bodies: 64 KB + 1 (Content-Length): 413');
ams_error($r, 'bodies: 64 KB + 1', qr/^RequestEntityTooLarge$/);

my $chunk = ' ' x 8192;
my $raw = "PUT $api_path HTTP/1.1\r\nHost: localhost\r\n"
    . "Authorization: Bearer $key\r\nContent-Type: application/json\r\n"
    . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    . join('', map { sprintf("%x\r\n%s\r\n", length $chunk, $chunk) } 1 .. 9)
    . "0\r\n\r\n";
my $reply = $t->http_raw($raw) // '';
like($reply, qr{^HTTP/1\.1 413 }, 'bodies: chunked over 64 KB: 413');
like($reply, qr{"code":"RequestEntityTooLarge"},
    'bodies: chunked over 64 KB: AMS-shaped');

# over nginx's default client_max_body_size (1 MB) too: the API answers
# (t/129-api-refused.t has the rest of what nginx refuses)
$r = $t->api(PUT => 'assets/big3', ' ' x (2 * 1024 * 1024));
is($r->{status}, 413, 'bodies: 2 MB: 413');
ams_error($r, 'bodies: 2 MB', qr/^RequestEntityTooLarge$/);

for my $depth (64, 65, 20000) {
    my $json = '{"properties":{"description":"d","x":'
        . ('[' x ($depth - 2)) . (']' x ($depth - 2)) . '}}';
    $r = $t->api(PUT => "assets/deep$depth", $json);

    if ($depth <= 64) {
        isnt(ams_code($r), 'InvalidRequestContent',
            "bodies: JSON $depth deep parses");
    } else {
        is($r->{status}, 400, "bodies: JSON $depth deep: 400");
        ams_error($r, "bodies: JSON $depth deep", qr/^InvalidRequestContent$/);
        like($r->{json}{error}{message} // '', qr/nest|deep|depth/i,
            "bodies: JSON $depth deep: the message says why");
    }
}

is($t->api(GET => 'assets/a1')->{status}, 200,
    'bodies: the API still answers');

###############################################################################
# ingest: only with the token and from an allowed address

my $tok = 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6';
my $tok_lo = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

ok($t->create_live_event('in1', token => $tok, input => {
    accessControl => { ip => { allow => [
        { name => 'all', address => '0.0.0.0', subnetPrefixLength => 0 } ] } },
    }, properties => { encoding => { encodingType => 'PassthroughBasic' } }),
    'ingest: in1 running, any address');
ok($t->create_live_event('in2', token => $tok_lo, input => {
    accessControl => { ip => { allow => [
        { name => 'lo', address => '127.0.0.1' } ] } },
    }, properties => { encoding => { encodingType => 'PassthroughBasic' } }),
    'ingest: in2 running, 127.0.0.1 only');

my @dirs0 = $t->event_dirs();

ingest_refused("$rtmp/live/0000$tok/s", 'unknown access token',
    'a wrong token');
ingest_refused("$rtmp/live/" . substr($tok, 0, -1) . "/s",
    'unknown access token', 'the token less a byte');
ingest_refused("$rtmp/live/${tok}0/s", 'unknown access token',
    'the token with a byte more');
ingest_refused("$rtmp/live/" . uc($tok) . "/s", 'unknown access token',
    'the token in upper case');
ingest_refused("$rtmp/live/..%2F..%2F$tok/s", 'unknown access token',
    'a token with encoded dot-dot');
ingest_refused("$rtmp/live/s", 'no access token', 'no token');

is_deeply([ $t->event_dirs() ], \@dirs0,
    'ingest: the refused publishers stored nothing');

# the address allow-list: the Perl publisher from 127.0.0.2, then .1

my $n0 = () = $t->error_log() =~ /publish refused: client address not allowed/g;
my $err = '';
eval {
    my $pub = Sluice::RTMP->new(port => $t->port(1935), local => '127.0.0.2',
        app => "live/$tok_lo");
    $pub->publish('s');
    $pub->close();
    1;
} or $err = $@;
like($err, qr/closed|NetStream\.Publish\.(?:BadName|Denied|Failed)|refused/i,
    'ingest: from 127.0.0.2, not allowed: refused');
ok($t->wait_log(qr/publish refused: client address not allowed/,
    count => $n0 + 1), 'ingest: from 127.0.0.2: a log line');

$err = '';
my $pub_ok;
eval {
    $pub_ok = Sluice::RTMP->new(port => $t->port(1935), local => '127.0.0.1',
        app => "live/$tok_lo");
    $pub_ok->publish('s');
    1;
} or $err = $@;
is($err, '', 'ingest: from 127.0.0.1, allowed: publishing');
$pub_ok->close() if $pub_ok;

# the positive control of the token: the right one publishes and plays

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1,
    url => "$rtmp/live/$tok/stream");

my $ev = $t->api(GET => 'liveEvents/in1')->{json};
my $preview = '/' . ($ev->{properties}{preview}{previewLocator} // 'none')
    . '/preview.ism/manifest';
ok($t->wait_for(sub { $t->get($preview)->{status} == 200 }, 40),
    'ingest: the right token publishes, the preview plays');

###############################################################################
# the streaming endpoint's IP allow-list

my $paths = Sluice::Playback::record($t, 'in1', 'rec', 'arec', 'lrec',
    manifestName => 'show');
my $smooth = $paths->{SmoothStreaming}[0] // '/none/show.ism/manifest';
my ($locid) = $smooth =~ m{^/([^/]+)/};
$locid //= 'none';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'endpoint: started');
ok(Sluice::Playback::wait_media($t, $smooth, 40),
    'endpoint: no allow-list, the recording plays');

$r = $t->api(PATCH => 'streamingEndpoints/default', { properties => {
    accessControl => { ip => { allow => [
        { name => 'lo', address => '127.0.0.1' } ] } } } });
is($r->{status}, 200, 'endpoint: allow 127.0.0.1 only');
is($t->get($smooth)->{status}, 200, 'endpoint: from 127.0.0.1: 200');
is($t->get($smooth, local => '127.0.0.2')->{status}, 403,
    'endpoint: from 127.0.0.2: 403');
is($t->get("/$locid/show.ism/manifest(format=m3u8-cmaf)",
    local => '127.0.0.2')->{status}, 403,
    'endpoint: from 127.0.0.2, HLS: 403');
is($t->get('/crossdomain.xml', local => '127.0.0.2')->{status}, 403,
    'endpoint: from 127.0.0.2, crossdomain.xml: 403');

$r = $t->api(PATCH => 'streamingEndpoints/default', { properties => {
    accessControl => { ip => { allow => [
        { name => 'net', address => '127.0.0.0', subnetPrefixLength => 31 }
    ] } } } });
is($t->get($smooth, local => '127.0.0.2')->{status}, 403,
    'endpoint: 127.0.0.0/31 does not hold 127.0.0.2: 403');
$r = $t->api(PATCH => 'streamingEndpoints/default', { properties => {
    accessControl => { ip => { allow => [] } } } });
is($t->get($smooth)->{status}, 403, 'endpoint: an empty list: nobody, 403');
$r = $t->api(PATCH => 'streamingEndpoints/default', { properties => {
    accessControl => { ip => { allow => [
        { name => 'net', address => '127.0.0.0', subnetPrefixLength => 30 }
    ] } } } });
is($t->get($smooth, local => '127.0.0.2')->{status}, 200,
    'endpoint: 127.0.0.0/30 holds 127.0.0.2: 200');

###############################################################################
# the packager's streaming URLs: the same tricks

my $hls = "/$locid/show.ism/manifest(format=m3u8-cmaf)";
is($t->get($hls)->{status}, 200, 'packager: the locator plays (control)');

my @urls = (
    [ 'locator dot-dot', '/../show.ism/manifest' ],
    [ 'locator encoded dot-dot',
      '/%2e%2e/%2e%2e/outside/secret.ism/manifest' ],
    [ 'locator encoded slashes',
      "/$locid%2F..%2F..%2F..%2Foutside/show.ism/manifest" ],
    [ 'locator NUL', "/$locid%00/show.ism/manifest" ],
    [ 'locator overlong UTF-8', '/%c0%ae%c0%ae/show.ism/manifest' ],
    [ 'locator backslashes', '/..\\..\\outside/show.ism/manifest' ],
    [ 'locator very long', '/' . ('l' x 3000) . '/show.ism/manifest' ],
    [ 'name dot-dot', "/$locid/...ism/manifest" ],
    [ 'name encoded slashes',
      "/$locid/..%2F..%2F..%2Foutside%2Fsecret.ism/manifest" ],
    [ 'name NUL', "/$locid/show%00.ism/manifest" ],
    [ 'name overlong UTF-8', "/$locid/%c0%ae%c0%ae%c0%afshow.ism/manifest" ],
    [ 'name backslashes', "/$locid/..\\..\\show.ism/manifest" ],
    [ 'name very long', "/$locid/" . ('n' x 3000) . '.ism/manifest' ],
    [ 'track dot-dot',
      "/$locid/show.ism/QualityLevels(128000)/Fragments(..=0,format=m3u8-cmaf)" ],
    [ 'track encoded slashes',
      "/$locid/show.ism/QualityLevels(128000)/"
      . 'Fragments(..%2F..%2F..%2Foutside%2Fsecret=0,format=m3u8-cmaf)' ],
    [ 'track NUL',
      "/$locid/show.ism/QualityLevels(128000)/Fragments(video%00=0)" ],
    [ 'fragment time traversal',
      "/$locid/show.ism/QualityLevels(128000)/Fragments(video=..%2F..%2Fx)" ],
    [ 'filter dot-dot', "/$locid/show.ism/manifest(filter=..%2F..%2Fpwned)" ],
    [ 'filter NUL', "/$locid/show.ism/manifest(filter=f%00)" ],
    [ 'filter overlong UTF-8',
      "/$locid/show.ism/manifest(filter=%c0%ae%c0%ae)" ],
    [ 'filter backslashes', "/$locid/show.ism/manifest(filter=..\\..\\x)" ],
    [ 'filter very long', "/$locid/show.ism/manifest(filter=" . ('f' x 3000)
      . ')' ],
    [ 'preview dot-dot', '/../preview.ism/manifest' ],
    [ 'preview name traversal', '/'
      . ($ev->{properties}{preview}{previewLocator} // 'none')
      . '/..%2F..%2Fpreview.ism/manifest' ],
);

# a segment of the recording: the control that the trace sees files
my $segurl;
$t->wait_for(sub {
    my $pl = $t->get($hls)->{body};
    my ($vpl) = $pl =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m
        or return 0;
    my ($vdir) = $vpl =~ m{^(QualityLevels\(\d+\))/};
    my ($seg) = Sluice::Playback::segments(
        $t->get("/$locid/show.ism/$vpl")->{body});
    return 0 unless $seg;
    $segurl = "/$locid/show.ism/$vdir/$seg->[0]";
}, timeout => 30, what => 'a segment in the playlist');
$segurl //= '/none';

$trace = trace_workers('packager');

is($t->get($segurl)->{status}, 200, 'packager: a segment (control)')
    or diag($segurl);

for my $u (@urls) {
    my ($what, $url) = @$u;

    my $reply = $t->http_raw("GET $url HTTP/1.0\r\nHost: localhost\r\n\r\n")
        // '';
    my ($status) = $reply =~ m{^HTTP/1\.[01] (\d+)};
    like($status // 'none', qr/^(?:400|404|414)$/,
        "packager: $what: 400 or 404") or diag(substr($reply, 0, 300));
    unlike($reply, qr/secret/, "packager: $what: no secret");
}

@seen = stop_trace($trace);
ok(@seen > 0, 'packager: the workers were traced') or diag(scalar @seen);
no_file_outside('packager', @seen);
is_deeply({ files_outside_data() }, \%before,
    'packager: nothing created or changed outside the data directory');

$t->stop_publisher($pub);

$t->done_testing();

###############################################################################

# a document of that type (a live output: with a new asset of its own)
sub body {
    my ($type) = @_;

    my $b = $bodies{$type};
    return ref $b eq 'CODE' ? $b->() : $b;
}

my $assets;

sub new_asset {
    my $name = 'lo' . ++$assets;

    $t->api(PUT => "assets/$name", { properties => {} });
    return $name;
}

# an AMS error: {"error":{"code":"...","message":"..."}}
sub ams_error {
    my ($r, $what, $code) = @_;

    my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} : undef;
    ok(ref $e eq 'HASH' && defined $e->{code} && $e->{code} =~ $code
       && defined $e->{message} && length $e->{message},
       "$what: AMS error shape") or diag($r->{body});
    like($r->{headers}{'content-type'} // '', qr{^application/json},
        "$what: application/json");
}

sub ams_code {
    my ($r) = @_;

    return ref $r->{json} eq 'HASH' && ref $r->{json}{error} eq 'HASH'
        ? $r->{json}{error}{code} // '' : '';
}

# refused: 400 or 404 with the AMS error shape, or nginx's own 400 for
# the requests nginx refuses before any module
sub refused {
    my ($r, $what, $by_nginx) = @_;

    if ($by_nginx) {
        is($r->{status}, 400, "$what: 400 (nginx)");
        return;
    }

    like($r->{status}, qr/^(?:400|404)$/, "$what: 400 or 404")
        or diag(substr($r->{body}, 0, 300));
    ok(ams_code($r) =~ /^(?:InvalidResourceName|BadRequest|NotFound
                         |ResourceNotFound|InvalidRequestContent)$/x,
        "$what: AMS error") or diag(substr($r->{body}, 0, 300));
}

# every file under the test directory outside data/, with size and mtime
# (the logs and nginx's temporary directories are expected to change)
sub files_outside_data {
    my %f;

    File::Find::find({ no_chdir => 1, wanted => sub {
        my $rel = substr($File::Find::name, length $dir);
        if ($rel =~ m{^/(?:data|logs|client_body_temp|proxy_temp
                          |fastcgi_temp|uwsgi_temp|scgi_temp)(?:/|$)}x)
        {
            $File::Find::prune = 1 if -d $_;
            return;
        }
        return if $rel =~ m{^/(?:access|error)\.log$|^/nginx\.pid$|^$
                            |^/ffmpeg-\d+\.log$}x;
        my @st = stat($_);
        $f{$rel} = -d _ ? 'dir' : "$st[7] $st[9]";
    } }, $dir);

    # and nothing named pwned beside or above the test directory
    for my $d ("$dir/..", '/') {
        opendir(my $dh, $d) or next;
        $f{"$d/$_"} = 'new' for grep { /pwned/ } readdir $dh;
        closedir $dh;
    }

    return %f;
}

# strace on nginx's workers: file system calls to a file
sub trace_workers {
    my ($name) = @_;

    my $out = "$dir/logs/strace-$name.txt";
    my @pids = map { ('-p', $_) } $t->_children($t->pid());
    my ($o, $e) = ('', '');
    my $h = IPC::Run::start([ 'strace', '-f', '-qq', '-s', '8192', '-e',
        'trace=%file,openat2', '-o', $out, @pids ],
        '<', \undef, '>', \$o, '2>', \$e);

    # attached once each worker is listed as traced
    $t->wait_for(sub {
        for my $p ($t->_children($t->pid())) {
            open(my $fh, '<', "/proc/$p/status") or return 0;
            local $/;
            my ($tp) = <$fh> =~ /^TracerPid:\s*(\d+)/m;
            return 0 unless $tp;
        }
        return 1;
    }, timeout => 10, what => 'strace attached');

    return { h => $h, out => $out };
}

sub stop_trace {
    my ($tr) = @_;

    $tr->{h}->signal('INT');
    eval { $tr->{h}->finish(); };

    open(my $fh, '<', $tr->{out}) or return ();
    my @l = grep { /"/ } <$fh>;
    close $fh;
    return @l;
}

# every path a traced call named is in the test directory (the data
# directory, the temporary bodies) or a file the C library reads
sub no_file_outside {
    my ($what, @lines) = @_;

    my @bad;

    for my $l (@lines) {
        while ($l =~ /"((?:[^"\\]|\\.)*)"/g) {
            my $p = $1;
            next if $p !~ m{/};
            next if index($p, "$dir/data/") == 0
                 || index($p, "$dir/client_body_temp/") == 0;
            next if $p =~ m{^/(?:etc/localtime|proc/|sys/|dev/)};
            push @bad, $l;
        }
    }

    is(join('', @bad[0 .. ($#bad < 9 ? $#bad : 9)]), '',
        "$what: no file touched outside the data directory");
    ok(!grep({ /secret|pwned|outside/ } @lines),
        "$what: nothing named after the attacks was looked up");
}

# a publisher that must be refused: connection closed, one log line
sub ingest_refused {
    my ($url, $reason, $what) = @_;

    my $src = Sluice::Ingest::fixture('av', duration => 12, gop => 2);
    my $log = $t->error_log();
    my $n0 = () = $log =~ /publish refused: \Q$reason\E/g;

    my ($o, $e) = ('', '');
    my $start = time;
    eval {
        IPC::Run::run([ 'ffmpeg', '-nostdin', '-hide_banner', '-loglevel',
            'error', '-re', '-stream_loop', '-1', '-i', $src, '-t', 40,
            '-c', 'copy', '-f', 'flv', $url ],
            '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(60));
    };

    ok(time - $start < 30, "ingest: $what: closed");
    ok($t->wait_log(qr/publish refused: \Q$reason\E/, count => $n0 + 1),
        "ingest: $what: logged");

    my $n1 = () = $t->error_log() =~ /publish refused: \Q$reason\E/g;
    is($n1 - $n0, 1, "ingest: $what: one log line");
}
