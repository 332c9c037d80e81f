#!/usr/bin/perl

# Live event telemetry (AMS 2022-11-01): getStatus, getStreamEvents and
# getTrackIngestHeartbeats read during an ffmpeg push and after it left,
# through the REST API and the AMS SDK's client; incoming bitrates within
# 30% of what was pushed; refused connections as InvalidConnection; a
# timestamp jump as a discontinuity.  Heartbeats every 2 s here
# (sluice_heartbeat_interval; AMS: 20 s).  systemData on every kind of
# resource, kept across an update and a restart.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP ();
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

my $sdk = "$FindBin::Bin/sdk";
my $have_sdk = -d "$sdk/node_modules/\@azure/arm-mediaservices"
    && Test::Sluice::_which('node');

$t->write_sluice_conf(sluice => <<'EOF', servers => <<'EOF2');
sluice_zone sluice 16m;
sluice_data_path data;
sluice_account %%ACCOUNT%%;
sluice_api_key %%API_KEY%%;
sluice_api_key ops 0ps0ps0ps0ps0ps0ps0ps0ps0ps0ps0p role=contributor;
sluice_ingest_url rtmp://127.0.0.1:%%PORT_1935%%;
sluice_heartbeat_interval 2s;
EOF
server {
    listen 127.0.0.1:%%PORT_8443%% ssl;
    ssl_certificate %%CERT%%;
    ssl_certificate_key %%CERT_KEY%%;

    location ~* ^/subscriptions/ {
        sluice_api;
    }
}
EOF2

$t->expect_errors(qr/sluice: publish refused: /);
$t->run();

my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);
my $allow = [ { name => 'all', address => '0.0.0.0',
                subnetPrefixLength => 0 } ];

my $tok1 = '1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e11';
ok($t->create_live_event('tel1', token => $tok1,
    input => { accessControl => { ip => { allow => $allow } } },
    properties => { encoding => { encodingType => 'PassthroughStandard' } }),
    'tel1 running') or BAIL_OUT('no live event');

###############################################################################
# during a push

my $pub = $t->publish(lavfi => { duration => 14, vbitrate => '800k',
                                 abitrate => '128k', gop => 2 },
                      url => "$rtmp/live/$tok1/s1");

my $beats = $t->wait_for(sub {
    my $b = action('tel1', 'getTrackIngestHeartbeats');
    my %n;
    $n{$_->{data}{trackType}}++
        for grep { $_->{data}{incomingBitrate} } @$b;
    return ($n{video} // 0) >= 2 && ($n{audio} // 0) >= 2 ? $b : undef;
}, timeout => 20, interval => 0.5, what => 'two heartbeats of each track');

ok($beats, 'heartbeats while pushing') or diag(log_tail());
$beats //= [];

my @vb = grep { $_->{data}{trackType} eq 'video' } @$beats;
my @ab = grep { $_->{data}{trackType} eq 'audio' } @$beats;

for my $b (@vb[0, 1]) {
    is($b->{eventType}, 'TrackEvent/IngestHeartbeat', 'heartbeat type');
    like($b->{eventTime}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/,
        'heartbeat time');
}

my @times = map { iso_ms($_->{eventTime}) } @vb;
is($times[1] - $times[0], 2000, 'video heartbeats 2 s apart');

my $vd = $vb[-1]{data} // {};
like($vd->{trackName}, qr/^video_\d+$/, 'trackName');
is($vd->{timescale}, '90000', 'video timescale');
like($vd->{lastTimestamp}, qr/^\d+$/, 'lastTimestamp');
is($vd->{state}, 'Running', 'heartbeat state');
is($vd->{$_}, 0, "$_ 0")
    for qw(overlapCount discontinuityCount nonincreasingCount);
like($vd->{ingestDriftValue}, qr/^(?:\d+|n\/a)$/, 'ingestDriftValue');
is($vd->{transcriptionState}, '', 'no transcription');
ok(JSON::PP::is_bool($vd->{healthy}) && JSON::PP::is_bool(
    $vd->{unexpectedBitrate}), 'healthy and unexpectedBitrate are booleans');
ok((grep { $_->{data}{healthy} } @vb), 'a healthy video heartbeat')
    or diag(explain(\@vb));
is(($ab[-1]{data} // {})->{timescale}, '48000', 'audio timescale');

# (on a starved machine, ASan, a track can have received nothing in the
# last seconds: its incoming 0; the figures are checked once both have)
my $st = $t->wait_for(sub {
    my $s = action('tel1', 'getStatus')->[0] // {};
    my @in = grep { $_->{incomingBitrate} } @{$s->{trackStatus} // []};
    return @in >= 2 ? $s : undef;
}, timeout => 10, interval => 0.5, what => 'getStatus: both tracks in')
    // action('tel1', 'getStatus')->[0] // {};
is($st->{state}, 'Running', 'getStatus: Running');
like($st->{healthStatus}, qr/^(?:Excellent|Good)$/, 'getStatus: healthy')
    or diag(explain($st));
is($st->{ingestion}{streamName}, 's1', 'getStatus: ingestion stream');
ok($st->{ingestion}{begin} && !$st->{ingestion}{end},
    'getStatus: ingestion begun, not ended');

my %ts = map { ($_->{trackId} =~ /^(audio|video)/)[0] => $_ }
    @{$st->{trackStatus} // []};
is(scalar keys %ts, 2, 'getStatus: two tracks');
like($ts{$_}{ingestDrift}, qr/^(?:\d+|n\/a)$/, "$_ drift") for qw(audio video);

# incoming bitrates: those of the fragments stored (what ffmpeg pushed),
# and about what it was asked for

my $gen = (glob($t->testdir . '/data/live/*/*'))[0];
my %pushed = pushed_bitrates($gen);

for my $type (qw(video audio)) {
    my $in = $ts{$type}{incomingBitrate} // 0;
    my $p = $pushed{$type} // 0;
    ok($p && abs($in - $p) <= 0.3 * $p,
        "getStatus: $type incoming $in within 30% of pushed $p");
    my ($hb) = grep { $_->{data}{trackType} eq $type
                      && $_->{data}{incomingBitrate} } reverse @$beats;
    my $hin = $hb->{data}{incomingBitrate} // 0;
    ok($p && abs($hin - $p) <= 0.3 * $p,
        "heartbeat: $type incoming $hin within 30% of pushed $p");
}

ok(abs(($ts{video}{incomingBitrate} // 0) - 800000) <= 240000,
    'video incoming within 30% of the 800k asked for');

my $ev = action('tel1', 'getStreamEvents');
my ($begin) = grep { $_->{eventType} eq 'StreamEvent/BeginIngest' } @$ev;
is($begin->{data}{streamName}, 's1', 'BeginIngest: stream');
is($begin->{data}{resultCode}, 'S_OK', 'BeginIngest: S_OK');
is($begin->{eventLevel}, 'Information', 'BeginIngest: Information');
is($begin->{data}{remoteIp}, '127.0.0.xxx', 'BeginIngest: remote IP');
like($begin->{data}{remotePort}, qr/^\d+$/, 'BeginIngest: remote port');

my @first = grep { $_->{eventType} eq 'StreamEvent/FirstChunkReceived' } @$ev;
is(scalar @first, 2, 'FirstChunkReceived of both tracks');
my ($fv) = grep { $_->{data}{mediaType} eq 'video' } @first;
is($fv->{data}{resolution}, '640x360', 'FirstChunkReceived: resolution');
like($fv->{data}{mediaTimestamp}, qr/^\d+$/, 'FirstChunkReceived: timestamp');

sdk('live');

###############################################################################
# after the publisher left

ok(defined $t->wait_publisher_exit($pub, 30), 'publisher done');

my $end = $t->wait_for(sub {
    my ($e) = grep { $_->{eventType} eq 'StreamEvent/EndIngest' }
        @{action('tel1', 'getStreamEvents')};
    return $e;
}, timeout => 10, what => 'EndIngest');

is($end->{data}{resultCode}, 'MPE_CLIENT_TERMINATED_SESSION',
    'EndIngest: the client closed');
like($end->{data}{resultMessage}, qr/receivedBytes=\d+/,
    'EndIngest: bytes received');

$st = action('tel1', 'getStatus')->[0] // {};
is($st->{healthStatus}, 'Poor', 'after: Poor');
ok(grep({ $_ eq 'No track is being ingested.' }
    @{$st->{healthDescriptions}}), 'after: no track ingested');
is($st->{ingestion}{endReason}, 'MPE_CLIENT_TERMINATED_SESSION',
    'after: ingestion endReason');
is_deeply([ map { $_->{incomingBitrate} } @{$st->{trackStatus}} ], [ 0, 0 ],
    'after: incoming 0');

my $n = @{action('tel1', 'getTrackIngestHeartbeats')};
ok($n >= @$beats, "after: heartbeats kept ($n)");

sdk('after');

###############################################################################
# refusals: InvalidConnection in the event's stream events

ok($t->create_live_event('tel2', token => '2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e22',
    input => { accessControl => { ip => { allow => [ { name => 'lan',
        address => '10.0.0.0', subnetPrefixLength => 8 } ] } } }),
    'tel2 running, input from 10/8 only');

refused("$rtmp/live/2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e22/x");
refused("$rtmp/live/nosuchtoken0000000000000000000000/x");

my ($inv) = grep { $_->{eventType} eq 'StreamEvent/InvalidConnection' }
    @{action('tel2', 'getStreamEvents')};
is($inv->{data}{resultCode}, 'MPE_INGEST_ENCODER_CONNECTION_DENIED',
    'IP refused: InvalidConnection, connection denied');
is($inv->{eventLevel}, 'Error', 'InvalidConnection: Error');
is($inv->{data}{streamName}, 'x', 'InvalidConnection: stream');

# stopped: refused with Sluice's code

ok($t->live_event_action('tel1', 'stop', 'Stopped'), 'tel1 stopped');
refused("$rtmp/live/$tok1/s2");
my @inv = grep { $_->{eventType} eq 'StreamEvent/InvalidConnection' }
    @{action('tel1', 'getStreamEvents')};
is(scalar @inv, 1, 'one refusal of tel1 (the unknown token is no event\'s)');
is(($inv[0] // {})->{data}{resultCode}, 'SLUICE_LIVE_EVENT_NOT_RUNNING',
    'refused while stopped');

###############################################################################
# a timestamp jump: a discontinuity

ok($t->live_event_action('tel1', 'start', 'Running'), 'tel1 started again');

my $av = Sluice::Ingest::fixture('av', duration => 10, gop => 2);
my $jumped = flv_jump($av, 'jumped.flv', 5000, 100000);
$t->wait_publisher_exit($t->publish(input => $jumped, realtime => 0,
    url => "$rtmp/live/$tok1/j"), 30);

my $disc = $t->wait_for(sub {
    my @d = grep { $_->{eventType} eq 'StreamEvent/Discontinuity' }
        @{action('tel1', 'getStreamEvents')};
    return @d >= 2 ? \@d : undef;
}, timeout => 10, what => 'discontinuities');

ok($disc, 'timestamp jump: discontinuities') or diag(log_tail());
my ($dv) = grep { $_->{data}{mediaType} eq 'video' } @{$disc // []};
my $dd = $dv->{data} // {};
is($dv->{eventLevel}, 'Warning', 'discontinuity: Warning');
ok(defined $dd->{discontinuityGap} && $dd->{previousFragmentTimestamp} =~ /^\d+$/
    && $dd->{currentFragmentTimestamp} > $dd->{previousFragmentTimestamp},
    'discontinuity: timestamps and gap') or diag(explain($dd));

my $hb = $t->wait_for(sub {
    my @b = grep { $_->{data}{discontinuityCount} }
        @{action('tel1', 'getTrackIngestHeartbeats')};
    return @b ? \@b : undef;
}, timeout => 10, what => 'a heartbeat counting the discontinuity');
ok($hb, 'heartbeat: discontinuityCount');
ok(!$hb->[0]{data}{healthy}, 'heartbeat with a discontinuity: not healthy');

###############################################################################

is(action('nosuch', 'getStreamEvents', 404), undef, 'unknown event: 404');

###############################################################################
# systemData on every resource: created by the API key ("sluice", Key),
# kept across updates and a restart; predefined ones are Sluice's

is($t->api(PUT => 'assets/sd1', { properties => {} })->{status}, 201,
    'asset created');
is($t->api(PUT => 'accountFilters/sdf', {})->{status}, 201,
    'account filter created');
is($t->api(PUT => 'assets/sd1/assetFilters/af', {})->{status}, 201,
    'asset filter created');
is($t->api(PUT => 'streamingLocators/sdl', { properties => {
    assetName => 'sd1', streamingPolicyName => 'Predefined_ClearStreamingOnly',
} })->{status}, 201, 'locator created');
is($t->api(PUT => 'liveEvents/tel1/liveOutputs/o1', { properties => {
    assetName => 'sd1', archiveWindowLength => 'PT5M' } })->{status} =~ /^20[01]$/
    ? 1 : 0, 1, 'live output created');

my @paths = qw(liveEvents/tel1 liveEvents/tel1/liveOutputs/o1 assets/sd1
    accountFilters/sdf assets/sd1/assetFilters/af streamingLocators/sdl);
my %sd;

for my $p (@paths) {
    my $d = $t->api(GET => $p)->{json}{systemData} // {};
    $sd{$p} = $d;
    ok($d->{createdBy} eq 'sluice' && $d->{createdByType} eq 'Key'
        && $d->{lastModifiedBy} eq 'sluice' && $d->{lastModifiedByType} eq 'Key'
        && $d->{createdAt} =~ /^\d{4}-\d\d-\d\dT/
        && $d->{lastModifiedAt} =~ /^\d{4}-\d\d-\d\dT/,
        "systemData of $p") or diag(explain($d));
}

my $sp = $t->api(GET => 'streamingPolicies/Predefined_ClearStreamingOnly')
    ->{json}{systemData} // {};
is($sp->{createdByType}, 'Application', 'predefined policy: Sluice\'s');

my $list = $t->api(GET => 'assets')->{json}{value} // [];
ok(@$list && !grep({ !$_->{systemData} } @$list), 'listed with systemData');

# an update by a named key

my $t0 = $sd{'assets/sd1'}{lastModifiedAt};
$t->wait_for(sub { iso_ms(now_iso()) > iso_ms($t0) + 20 }, timeout => 2);
is($t->api(PUT => 'assets/sd1', { properties => { description => 'x' } },
    key => '0ps0ps0ps0ps0ps0ps0ps0ps0ps0ps0p')->{status}, 200,
    'asset updated by the key "ops"');
my $u = $t->api(GET => 'assets/sd1')->{json}{systemData} // {};
is($u->{createdAt}, $sd{'assets/sd1'}{createdAt}, 'update: createdAt kept');
is($u->{createdBy}, 'sluice', 'update: createdBy kept');
isnt($u->{lastModifiedAt}, $t0, 'update: lastModifiedAt moves');
is("$u->{lastModifiedBy} $u->{lastModifiedByType}", 'ops Key',
    'update: lastModifiedBy the named key');

$t->stop();
$t->run();

for my $p ('liveEvents/tel1', 'assets/sd1') {
    my $d = $t->api(GET => $p)->{json}{systemData} // {};
    is($d->{createdAt}, $sd{$p}{createdAt}, "after a restart: $p createdAt");
    is($d->{createdByType}, 'Key', "after a restart: $p createdByType");
}

$t->done_testing();

###############################################################################

# POST liveEvents/{name}/{action}: the "value" array
sub action {
    my ($name, $what, $status) = @_;

    my $r = $t->api(POST => "liveEvents/$name/$what", {},
        query => 'api-version=2022-11-01');
    if ($r->{status} != ($status // 200)) {
        diag("$what $name: $r->{status} $r->{body}");
        return [];
    }
    return $r->{json} ? $r->{json}{value} : undef;
}

sub now_iso {
    my @g = gmtime(time);
    return sprintf('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', $g[5] + 1900,
        $g[4] + 1, @g[3, 2, 1, 0], (time * 1000) % 1000);
}

sub iso_ms {
    my ($s) = @_;

    my ($h, $m, $sec, $ms) = $s =~ /T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?/;
    $ms = substr(($ms // 0) . '000', 0, 3);
    return (($h * 60 + $m) * 60 + $sec) * 1000 + $ms;
}

# bits per second of the stored fragments of each track of $gen
sub pushed_bitrates {
    my ($g) = @_;

    my %r;
    for my $tr ($t->tracks($g)) {
        my @times = @{$tr->{times}};
        next unless @times >= 3;
        my $scale = $tr->{type} eq 'video' ? 90000 : 48000;
        my $bytes = 0;
        $bytes += -s "$tr->{dir}/$_.m4s" for @times[0 .. $#times - 1];
        $r{$tr->{type}} = int($bytes * 8 * $scale
                              / ($times[-1] - $times[0]));
    }
    return %r;
}

# a publisher refused at once
sub refused {
    my ($url) = @_;

    my $start = time;
    my $p = $t->publish(lavfi => { duration => 30 }, url => $url);
    my $rc = $t->wait_publisher_exit($p, 20);
    ok(defined $rc && time - $start < 20, "refused: $url");
}

# add jump ms to every audio/video tag at or after "at" ms
sub flv_jump {
    my ($in, $out, $at, $jump) = @_;

    my $d = $t->read_file($in);
    my $hl = unpack('N', substr($d, 5, 4));
    my $o = substr($d, 0, $hl + 4);
    my $p = $hl + 4;

    while ($p + 15 <= length $d) {
        my $type = ord(substr($d, $p, 1));
        my $size = unpack('N', "\0" . substr($d, $p + 1, 3));
        my $ts = unpack('N', "\0" . substr($d, $p + 4, 3))
            | (ord(substr($d, $p + 7, 1)) << 24);

        last if $p + 15 + $size > length $d;

        my $tag = substr($d, $p, 15 + $size);

        if ($type != 18 && $ts >= $at) {
            $ts = ($ts + $jump) & 0xffffffff;
            substr($tag, 4, 3) = substr(pack('N', $ts), 1, 3);
            substr($tag, 7, 1) = chr($ts >> 24);
        }

        $o .= $tag;
        $p += 15 + $size;
    }

    return $t->write_file($out, $o);
}

sub sdk {
    my ($phase) = @_;

    SKIP: {
        skip 'node or t/sdk/node_modules missing', 1 unless $have_sdk;

        my $out = '';
        my ($cert) = $t->make_cert();
        local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
        IPC::Run::run(['node', "$sdk/telemetry.js",
            'https://127.0.0.1:' . $t->port(8443), $t->api_key(),
            $t->account(), 'tel1', $phase],
            '<', \undef, '>&', \$out, IPC::Run::timeout(60));
        ok($? == 0 && $out =~ /^done$/m, "SDK: telemetry ($phase)")
            or diag($out);
    }
}

sub log_tail {
    my $log = $t->read_file('error.log') // '';
    return substr($log, -3000);
}
