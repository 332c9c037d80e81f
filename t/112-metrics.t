#!/usr/bin/perl

# Prometheus metrics (sluice_metrics): the page of a location, parsed by
# Debian's prometheus_client (t/lib/prom_parse.py); every sample in a
# family with a HELP and a TYPE, histograms cumulative, labels from their
# bounded sets only (never a locator id or a URL).  While ffmpeg pushes,
# the encoder gauge is 1, the ingest bitrate about what is pushed, the
# fragments count up; the packager's requests and bytes move with the
# manifests and segments fetched, whichever worker served them; a key
# request refused for its token is counted; after the push the encoder
# gauge is 0.  Then, scrapes while nginx reloads all answer, with the
# counters kept.  Last, with sluice_telemetry off (a reload): a push and
# requests move no counter, the encoder gauge and the connections'
# stream events still come, getStatus says telemetry is off.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP;
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64 encode_base64url);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg');

my $python = '/usr/bin/python3';
plan(skip_all => 'no python3-prometheus-client (build.sh deps)')
    unless system($python, '-c',
        'import prometheus_client.parser') == 0;

my $locations = <<'EOF';
location = /metrics {
    sluice_metrics;
}

location /keydelivery/ {
    sluice_key_delivery;
}
EOF

$t->write_sluice_conf(http => 'sluice_heartbeat_interval 2s;',
    server => $locations);
$t->run();

###############################################################################
# the page

# scrape: the page checked and parsed; returns { "name{l=v,...}" => value }
# and the families (undef when it failed: the tests say why)
sub scrape {
    my ($what) = @_;
    my $r = $t->get('/metrics');
    unless ($r->{status} == 200) {
        diag("$what: $r->{status} $r->{body}");
        return;
    }
    my $json = '';
    my $err = '';
    IPC::Run::run([ $python, "$FindBin::Bin/lib/prom_parse.py" ],
        '<', \$r->{body}, '>', \$json, '2>', \$err, IPC::Run::timeout(30));
    if ($?) {
        diag("$what: not parsed: $err");
        return;
    }
    my $fams = decode_json($json);
    my %v;
    for my $f (@$fams) {
        for my $s (@{$f->{samples}}) {
            $v{key($s->{name}, %{$s->{labels}})} = $s->{value};
        }
    }
    return { values => \%v, families => $fams, body => $r->{body},
             headers => $r->{headers} };
}

sub key {
    my ($name, %l) = @_;
    return $name . '{' . join(',', map { "$_=$l{$_}" } sort keys %l) . '}';
}

sub val {
    my ($s, $name, %l) = @_;
    return $s ? $s->{values}{key($name, %l)} // 0 : 0;
}

# the text itself: HELP and TYPE once per family, before its samples
sub check_text {
    my ($body) = @_;
    my (%help, %type, @bad);
    for my $line (split /\n/, $body) {
        if ($line =~ /^# HELP (\S+) \S/) {
            push @bad, "second HELP $1" if $help{$1}++;
        } elsif ($line =~ /^# TYPE (\S+) (counter|gauge|histogram)$/) {
            push @bad, "second TYPE $1" if $type{$1};
            $type{$1} = $2;
        } elsif ($line =~ /^([a-z_]+)(?:\{[^}]*\})? \d+(?:\.\d+)?$/) {
            my $n = $1;
            (my $base = $n) =~ s/_(?:bucket|sum|count)$//;
            push @bad, "$n: no TYPE before it"
                unless $type{$n} && $type{$n} ne 'histogram'
                    || $type{$base} && $type{$base} eq 'histogram';
            push @bad, "$n: no HELP" unless $help{$n} || $help{$base};
        } else {
            push @bad, "line: $line";
        }
    }
    return @bad;
}

my $s0 = scrape('first scrape');
ok($s0, 'a scrape before any traffic parses') or BAIL_OUT('no page');
like($s0->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4},
    'Content-Type: text/plain; version=0.0.4');
is($s0->{headers}{'cache-control'}, 'no-store', 'Cache-Control: no-store');
is_deeply([ check_text($s0->{body}) ], [], 'HELP and TYPE of every family');
is_deeply([ grep { $_->{type} eq 'unknown' } @{$s0->{families}} ], [],
    'no sample outside its typed family');
is(val($s0, 'sluice_live_events'), 0, 'no live event yet');
{
    # sluice_zone 16m: its pages, less the page descriptors
    my ($size, $used) = (val($s0, 'sluice_zone_size_bytes'),
        val($s0, 'sluice_zone_used_bytes'));
    ok($size > 15 * 1024 * 1024 && $size <= 16 * 1024 * 1024
        && $used > 0 && $used < $size,
        "zone: $used of $size bytes in use");
}

my %types = map { $_->{name} => $_->{type} } @{$s0->{families}};
is($types{sluice_packager_requests}, 'counter', 'requests: counter');
is($types{sluice_packager_response_seconds}, 'histogram',
    'latency: histogram');
is($types{sluice_live_event_encoders}, 'gauge', 'encoders: gauge');

is($t->get('/metrics', headers => {})->{status}, 200, 'GET');
is($t->http(POST => '/metrics', body => 'x')->{status}, 405, 'POST: 405');

###############################################################################
# a push

my $token = '3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c33';
my $loc = $t->create_preview_event('mx1', $token);
ok($loc, 'mx1 running') or BAIL_OUT('no live event');

my $pub = $t->publish(lavfi => { duration => 40, vbitrate => '800k',
                                 abitrate => '128k', gop => 2 },
                      url => 'rtmp://127.0.0.1:' . $t->port(1935)
                          . "/live/$token/s1");

my $s1 = $t->wait_for(sub {
    my $s = scrape('during the push') or return;
    return val($s, 'sluice_live_event_encoders', live_event => 'mx1') == 1
        && (grep { /^sluice_ingest_fragments_total\{live_event=mx1,
                      track=video_/x
                   && $s->{values}{$_} >= 3 } keys %{$s->{values}})
        ? $s : undef;
}, timeout => 30, interval => 0.5, what => 'an encoder and 3 fragments');

ok($s1, 'encoders 1 and fragments while pushing') or diag(log_tail());
is(val($s1, 'sluice_live_events'), 1, 'one live event');
is(val($s1, 'sluice_live_event_state', live_event => 'mx1',
       state => 'Running'), 1, 'state Running: 1');
is(val($s1, 'sluice_live_event_state', live_event => 'mx1',
       state => 'Stopped'), 0, 'state Stopped: 0');

my ($vtrack) = map { /track=(video_\d+)/ }
    grep { /^sluice_ingest_fragments_total\{live_event=mx1,track=video_/ }
    keys %{$s1->{values} // {}};
my ($atrack) = map { /track=(audio_\d+)/ }
    grep { /^sluice_ingest_fragments_total\{live_event=mx1,track=audio_/ }
    keys %{$s1->{values} // {}};
ok($vtrack && $atrack, "a video and an audio track ($vtrack, $atrack)");
$vtrack //= 'video_0';
$atrack //= 'audio_0';

# the bitrate, once a window of media came in: about what was pushed
my $s2 = $t->wait_for(sub {
    my $s = scrape('bitrate') or return;
    return val($s, 'sluice_ingest_bitrate_bits_per_second',
               live_event => 'mx1', track => $vtrack) > 0 ? $s : undef;
}, timeout => 20, interval => 0.5, what => 'a video bitrate');
my $vbps = val($s2, 'sluice_ingest_bitrate_bits_per_second',
               live_event => 'mx1', track => $vtrack);
ok(abs($vbps - 800000) <= 240000, "video bitrate $vbps within 30% of 800k");
ok(val($s2, 'sluice_ingest_bytes_total', live_event => 'mx1',
       track => $atrack) > 0, 'audio bytes');
is(val($s2, 'sluice_ingest_discontinuities_total', live_event => 'mx1',
       track => $vtrack), 0, 'no discontinuity');

# the fragments count up between two scrapes
my $f2 = val($s2, 'sluice_ingest_fragments_total', live_event => 'mx1',
             track => $vtrack);
ok($t->wait_for(sub {
    val(scrape('fragments'), 'sluice_ingest_fragments_total',
        live_event => 'mx1', track => $vtrack) > $f2;
}, timeout => 10, interval => 0.5, what => 'one more fragment'),
    "fragments counted up from $f2");

###############################################################################
# the packager's requests

my $base = "/$loc/preview.ism";

sub fetch {
    my ($path) = @_;
    my $r = $t->get($path);
    is($r->{status}, 200, "GET $path") or diag($r->{body});
    return $r;
}

# a playlist's URIs, resolved against it
sub uris {
    my ($path, $body) = @_;
    (my $dir = $path) =~ s{[^/]*$}{};
    return map { m{^/} ? $_ : "$dir$_" }
        grep { /\S/ && !/^#/ } split /\r?\n/, $body;
}

my $p1 = scrape('before fetching') // {};

# HLS TS: master, media playlist, a segment; HLS CMAF and DASH manifests,
# a CMAF init and segment; the Smooth manifest
my $master = fetch("$base/manifest(format=m3u8-aapl)");
my ($media) = grep { /video/i } uris("$base/", $master->{body});
$media //= (uris("$base/", $master->{body}))[0];
my $pl = fetch($media);
my ($seg) = uris($media, $pl->{body});
my $segr = fetch($seg);

my $cm = fetch("$base/manifest(format=m3u8-cmaf)");
my ($cmedia) = grep { /video/i } uris("$base/", $cm->{body});
my $cpl = fetch($cmedia);
my ($init) = $cpl->{body} =~ /#EXT-X-MAP:URI="([^"]+)"/;
(my $cdir = $cmedia) =~ s{[^/]*$}{};
fetch($init =~ m{^/} ? $init : "$cdir$init");
my ($cseg) = uris($cmedia, $cpl->{body});
fetch($cseg);

fetch("$base/manifest(format=mpd-time-cmaf)");
fetch("$base/manifest");
fetch("$base/manifest");

# a 404 of a segment that is not there
my $missing = $seg;
$missing =~ s/\((video|audio)=\d+/($1=1/;
is($t->get($missing)->{status}, 404, 'a missing segment: 404');

my $want = sub {
    my ($s) = @_;
    my %d = (
        'hls_ts manifest 2xx' => 2, 'hls_ts segment 2xx' => 1,
        'hls_ts segment 4xx' => 1, 'hls_cmaf manifest 2xx' => 2,
        'hls_cmaf init 2xx' => 1, 'hls_cmaf segment 2xx' => 1,
        'dash manifest 2xx' => 1, 'smooth manifest 2xx' => 2,
    );
    my @short;
    for my $k (sort keys %d) {
        my ($f, $kind, $c) = split / /, $k;
        my $n = val($s, 'sluice_packager_requests_total', format => $f,
                    kind => $kind, code => $c)
              - val($p1, 'sluice_packager_requests_total', format => $f,
                    kind => $kind, code => $c);
        push @short, "$k: $n of $d{$k}" if $n < $d{$k};
    }
    return @short;
};

my $p2 = $t->wait_for(sub {
    my $s = scrape('after fetching') or return;
    return $want->($s) ? undef : $s;
}, timeout => 10, interval => 0.2, what => 'the requests counted');
ok($p2, 'requests counted by format, kind and status class')
    or diag(join "\n", $want->(scrape('again')));

my $dbytes = val($p2, 'sluice_packager_response_bytes_total',
                 format => 'hls_ts', kind => 'segment')
           - val($p1, 'sluice_packager_response_bytes_total',
                 format => 'hls_ts', kind => 'segment');
ok($dbytes >= length($segr->{body}),
   "hls_ts segment bytes grew by $dbytes (the segment: "
   . length($segr->{body}) . ")");

my $cnt = val($p2, 'sluice_packager_response_seconds_count',
              format => 'smooth', kind => 'manifest');
my $inf = val($p2, 'sluice_packager_response_seconds_bucket',
              format => 'smooth', kind => 'manifest', le => '+Inf');
my $reqs = 0;
$reqs += val($p2, 'sluice_packager_requests_total', format => 'smooth',
             kind => 'manifest', code => $_) for qw(2xx 3xx 4xx 5xx);
ok($cnt >= 2 && $cnt == $inf && $cnt == $reqs,
   "latency: count $cnt = +Inf bucket $inf = requests $reqs");

# buckets cumulative
my @bad;
for my $f (qw(hls_ts hls_cmaf dash smooth)) {
    for my $k (qw(manifest segment part init)) {
        my $prev = 0;
        for my $le (qw(0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1
                       +Inf)) {
            my $b = val($p2, 'sluice_packager_response_seconds_bucket',
                        format => $f, kind => $k, le => $le);
            push @bad, "$f $k $le" if $b < $prev;
            $prev = $b;
        }
    }
}
is_deeply(\@bad, [], 'histogram buckets cumulative');
ok(val($p2, 'sluice_packager_response_seconds_sum', format => 'hls_ts',
       kind => 'segment') > 0, 'latency sum');

# bounded labels: the fixed sets, the live event's name, its tracks
my (%labels, @leak);
for my $k (keys %{$p2->{values} // {}}) {
    my ($l) = $k =~ /\{(.*)\}$/;
    for my $pair (split /,/, $l // '') {
        my ($n, $v) = split /=/, $pair, 2;
        $labels{$n}{$v} = 1;
        push @leak, $k if index($v, $loc) >= 0 || $v =~ m{/};
    }
}
is_deeply([ sort keys %{$labels{format}} ],
    [ qw(dash hls_cmaf hls_ts smooth) ], 'format labels');
is_deeply([ sort keys %{$labels{kind}} ],
    [ sort qw(manifest segment part init aes128 clearkey fragment record
              api) ], 'kind labels');
is_deeply([ sort keys %{$labels{code}} ], [ qw(2xx 3xx 4xx 5xx) ],
    'code labels');
is_deeply([ sort keys %{$labels{track}} ], [ sort $atrack, $vtrack ],
    'track labels');
is_deeply([ sort keys %{$labels{live_event}} ], [ 'mx1' ],
    'live_event labels');
is_deeply(\@leak, [], 'no locator id or URL in a label');

###############################################################################
# key delivery: a request refused for its token is counted

my $P = '#Microsoft.Media.ContentKeyPolicy';
my $r = $t->api(PUT => 'contentKeyPolicies/pol-jwt', { properties => {
    options => [ { name => 'o0',
        configuration => { '@odata.type' => "${P}ClearKeyConfiguration" },
        restriction => { '@odata.type' => "${P}TokenRestriction",
            issuer => 'https://issuer.sluice.test', audience => 'urn:t',
            restrictionTokenType => 'Jwt',
            primaryVerificationKey => {
                '@odata.type' => "${P}SymmetricTokenKey",
                keyValue => encode_base64('k' x 32, '') } } } ] } });
is($r->{status}, 201, 'content key policy') or diag($r->{body});
is($t->api(PUT => 'assets/a1', { properties => {} })->{status}, 201,
    'asset');
$r = $t->api(PUT => 'streamingLocators/aes1', { properties => {
    assetName => 'a1', streamingPolicyName => 'Predefined_ClearKey',
    defaultContentKeyPolicyName => 'pol-jwt' } });
is($r->{status}, 201, 'locator') or diag($r->{body});
$r = $t->api(POST => 'streamingLocators/aes1/listContentKeys');
my $kid = $r->{json}{contentKeys}[0]{id} // 'none';

my $k1 = scrape('before the keys') // {};
is($t->get("/keydelivery/?kid=$kid")->{status}, 401, 'no token: 401');
my $bad = join '.', encode_base64url('{"alg":"HS256","typ":"JWT"}'),
    encode_base64url('{"iss":"x"}'), encode_base64url('sig');
is($t->get("/keydelivery/?kid=$kid",
    headers => { Authorization => "Bearer $bad" })->{status}, 401,
    'a bad token: 401');
is($t->get('/keydelivery/?kid=00000000-0000-0000-0000-000000000001')
    ->{status}, 404, 'no such key: 404');

my $k2 = $t->wait_for(sub {
    my $s = scrape('after the keys') or return;
    return val($s, 'sluice_key_requests_total', kind => 'aes128')
         - val($k1, 'sluice_key_requests_total', kind => 'aes128') >= 3
         ? $s : undef;
}, timeout => 10, interval => 0.2, what => 'the key requests');
is(val($k2, 'sluice_key_requests_total', kind => 'aes128')
   - val($k1, 'sluice_key_requests_total', kind => 'aes128'), 3,
   'three key requests');
is(val($k2, 'sluice_key_refusals_total', reason => 'token')
   - val($k1, 'sluice_key_refusals_total', reason => 'token'), 2,
   'two token refusals');
is(val($k2, 'sluice_key_refusals_total', reason => 'key')
   - val($k1, 'sluice_key_refusals_total', reason => 'key'), 1,
   'one refusal of an unknown key');
is(val($k2, 'sluice_store_errors_total', kind => 'fragment'), 0,
    'no store error');

###############################################################################
# after the push

$t->stop_publisher($pub);

my $s3 = $t->wait_for(sub {
    my $s = scrape('after the push') or return;
    return val($s, 'sluice_live_event_encoders', live_event => 'mx1') == 0
        ? $s : undef;
}, timeout => 15, interval => 0.5, what => 'no encoder');
ok($s3, 'encoders 0 after the push');
is(val($s3, 'sluice_ingest_bitrate_bits_per_second', live_event => 'mx1',
       track => $vtrack), 0, 'bitrate 0 after the push');
ok(val($s3, 'sluice_ingest_fragments_total', live_event => 'mx1',
       track => $vtrack) >= $f2, 'fragments kept');

###############################################################################
# scrapes during a reload

my $before = val($s3, 'sluice_packager_requests_total', format => 'smooth',
                 kind => 'manifest', code => '2xx');
my $offset = -s $t->testdir . '/error.log';
my (@codes, @unparsed, $reloaded);

kill 'HUP', $t->pid();

$reloaded = $t->wait_for(sub {
    my $r = $t->get('/metrics');
    push @codes, $r->{status};
    push @unparsed, $r->{status} if $r->{status} == 200 && !eval {
        my $out;
        IPC::Run::run([ $python, "$FindBin::Bin/lib/prom_parse.py" ],
            '<', \$r->{body}, '>', \$out, '2>', \my $err);
        $? == 0;
    };
    open my $fh, '<', $t->testdir . '/error.log' or return;
    seek $fh, $offset, 0;
    local $/;
    my $log = <$fh> // '';
    return @codes >= 5 && $log =~ /start worker process/;
}, timeout => 20, interval => 0.05, what => 'the reload');

ok($reloaded, 'nginx reloaded while scraped (' . scalar(@codes)
    . ' scrapes)');
is_deeply([ grep { $_ != 200 } @codes ], [], 'every scrape answered 200');
is_deeply(\@unparsed, [], 'every page parsed');

my $s4 = scrape('after the reload');
ok(val($s4, 'sluice_packager_requests_total', format => 'smooth',
       kind => 'manifest', code => '2xx') >= $before && $before >= 2,
   'counters kept across the reload');
is(val($s4, 'sluice_live_event_state', live_event => 'mx1',
       state => 'Running'), 1, 'the live event after the reload');

###############################################################################
# sluice_telemetry off: nothing counted per fragment or per request

$t->write_sluice_conf(http => "sluice_heartbeat_interval 2s;\n"
    . 'sluice_telemetry off;', server => $locations);
ok($t->reload(), 'reload with sluice_telemetry off');

my $o1 = scrape('telemetry off, before') // {};
my %ev1 = stream_events();
my $marks = $t->live_marks();

$pub = $t->publish(lavfi => { duration => 30, vbitrate => '800k',
                              abitrate => '128k', gop => 2 },
                   url => 'rtmp://127.0.0.1:' . $t->port(1935)
                       . "/live/$token/s1");

ok($t->wait_live_fragments($marks, 3, timeout => 30),
    'telemetry off: fragments stored');
ok($t->wait_for(sub {
    val(scrape('telemetry off, encoder'), 'sluice_live_event_encoders',
        live_event => 'mx1') == 1;
}, timeout => 10, interval => 0.5, what => 'the encoder gauge'),
    'telemetry off: the encoder gauge still 1');

fetch("$base/manifest");
fetch("$base/manifest(format=m3u8-cmaf)");
is($t->get("/keydelivery/?kid=$kid")->{status}, 401,
    'telemetry off: a key request refused');

my $o2 = scrape('telemetry off, after') // {};
for my $c ([ 'sluice_ingest_fragments_total', live_event => 'mx1',
             track => $vtrack ],
           [ 'sluice_ingest_bytes_total', live_event => 'mx1',
             track => $atrack ],
           [ 'sluice_packager_requests_total', format => 'smooth',
             kind => 'manifest', code => '2xx' ],
           [ 'sluice_packager_requests_total', format => 'hls_cmaf',
             kind => 'manifest', code => '2xx' ],
           [ 'sluice_key_requests_total', kind => 'aes128' ],
           [ 'sluice_key_refusals_total', reason => 'token' ])
{
    my %l = @$c[1 .. $#$c];
    is(val($o2, @$c), val($o1, @$c), 'telemetry off: '
        . key($c->[0], %l) . ' not counted');
}

my $st = $t->api(POST => 'liveEvents/mx1/getStatus', {},
    query => 'api-version=2022-11-01')->{json}{value}[0] // {};
ok((grep { /^Track telemetry is off/ } @{$st->{healthDescriptions} // []}),
    'telemetry off: getStatus says so') or diag(explain($st));
is_deeply([ map { $_->{incomingBitrate} } @{$st->{trackStatus} // []} ],
    [ 0, 0 ], 'telemetry off: no incoming bitrate measured');

my %ev2 = stream_events();
is(($ev2{BeginIngest} // 0) - ($ev1{BeginIngest} // 0), 1,
    'telemetry off: BeginIngest still raised');
is($ev2{FirstChunkReceived} // 0, $ev1{FirstChunkReceived} // 0,
    'telemetry off: no FirstChunkReceived');

$t->stop_publisher($pub);

$t->done_testing();

###############################################################################

sub log_tail {
    my $l = $t->read_file('error.log') // '';
    return substr($l, -3000);
}

# { type => how many } of mx1's stream events
sub stream_events {
    my $r = $t->api(POST => 'liveEvents/mx1/getStreamEvents', {},
        query => 'api-version=2022-11-01');
    my %n;
    $n{($_->{eventType} =~ m{([^/]+)$})[0]}++
        for @{($r->{json} // {})->{value} // []};
    return %n;
}
