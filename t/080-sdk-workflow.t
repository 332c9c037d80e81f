#!/usr/bin/perl

# The whole AMS v3 live workflow through the Azure Media Services SDK
# (@azure/arm-mediaservices 13.1.0, unmodified: only the endpoint and a
# static-token credential), t/sdk/workflow.js in three stages:
#   setup: streaming endpoint started, live event created and started,
#     asset, live output (PT5M), streaming locator, listPaths
#   (here: ffmpeg pushes to the input URL the SDK returned; every path of
#     listPaths plays live with ffprobe)
#   stop: refused while the live output exists, then removeOutputsOnStop
#   (here: every path plays as VOD, HLS ends with #EXT-X-ENDLIST)
#   cleanup: delete everything, 404 RestErrors for missing resources.
#
# Needs node and the npm packages of t/sdk: `npm ci --prefix t/sdk`.

use strict;
use warnings;

use Test::More;
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new()->has_program('node', 'ffmpeg', 'ffprobe');

my $sdk = "$FindBin::Bin/sdk";
$t->skip_all('t/sdk/node_modules missing: run npm ci --prefix t/sdk')
    unless -d "$sdk/node_modules/\@azure/arm-mediaservices";

$t->write_sluice_conf(
    account => 'sdkaccount',
    preview_url => 'https://127.0.0.1:%%PORT_8443%%',
    location => 'aio threads=sluice;',
    server => <<'EOF2');
listen 127.0.0.1:%%PORT_8443%% ssl;
server_name localhost;
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF2

$t->run();

sub stage {
    my ($stage) = @_;
    my $out = '';
    my ($cert) = $t->make_cert();

    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
    IPC::Run::run(['node', "$sdk/workflow.js",
        'https://127.0.0.1:' . $t->port(8443), $t->api_key(), 'sdkaccount',
        $stage], '<', \undef, '>&', \$out, IPC::Run::timeout(60));

    is($? >> 8, 0, "SDK stage $stage") or diag($out);
    like($out, qr/^done$/m, "SDK stage $stage: all checks passed");
    return $out;
}

# every path of listPaths through ffprobe: h264 and aac

sub play {
    my ($what, $paths) = @_;

    for my $p (@$paths) {
        next if $p->[0] eq 'SmoothStreaming';

        my ($j, $err) = Sluice::Playback::ffprobe($t, $p->[1]);
        my @s = $j ? @{ $j->{streams} // [] } : ();
        ok((grep { ($_->{codec_name} // '') eq 'h264' } @s)
            && (grep { ($_->{codec_name} // '') eq 'aac' } @s),
            "$what: $p->[1] plays (h264, aac)") or diag($err);
    }

    # Smooth: ffprobe has no Smooth demuxer; the manifest and a fragment
    my ($smooth) = map { $_->[1] } grep { $_->[0] eq 'SmoothStreaming' }
        @$paths;
    my $r = $t->get($smooth // '/none');
    like($r->{body}, qr/<SmoothStreamingMedia\b.*<StreamIndex\b[^>]*Type="video".*<StreamIndex\b[^>]*Type="audio"/s,
        "$what: Smooth manifest, video and audio");
    my ($base) = ($smooth // '') =~ m{^(.*)/manifest$};
    my ($br) = $r->{body} =~ /Type="video".*?<QualityLevel\b[^>]*Bitrate="(\d+)"/s;
    my ($tc) = $r->{body} =~ /Type="video".*?<c\b[^>]*t="(\d+)"/s;
    $r = $t->get("$base/QualityLevels(" . ($br // 0) . ")/Fragments(video="
        . ($tc // 0) . ')');
    ok($r->{status} == 200 && substr($r->{body}, 4, 4) eq 'moof',
        "$what: Smooth fragment");
}

# setup

my $out = stage('setup');
my ($input) = $out =~ /^input (\S+)$/m;
my @paths = map { [ split / /, $_, 2 ] } $out =~ /^path (\S+ \S+)$/mg;

like($input // '', qr{^rtmp://127\.0\.0\.1:\d+/live/[0-9a-f]{32}$},
    'input URL from the SDK');
ok((grep { $_->[0] eq 'Hls' } @paths) >= 2
    && (grep { $_->[0] eq 'Dash' } @paths) >= 1
    && (grep { $_->[0] eq 'SmoothStreaming' } @paths) == 1,
    'listPaths: HLS, DASH, Smooth paths') or BAIL_OUT('no paths');

# push to the input URL returned by the SDK, play live

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1, url => "$input/stream");

my ($smooth) = map { $_->[1] } grep { $_->[0] eq 'SmoothStreaming' } @paths;
my ($hls) = map { $_->[1] } grep { $_->[1] =~ /format=m3u8-aapl\)/ } @paths;

ok(Sluice::Playback::wait_media($t, $smooth, 30), 'live: media recorded')
    or diag($t->publisher_log($pub));
# a few fragments for the players (ffprobe)
ok(Sluice::Playback::wait_fragments($t, $smooth, 3), 'live: three fragments');

my $r = $t->get($smooth);
like($r->{body}, qr/<SmoothStreamingMedia\b[^>]*IsLive="TRUE"/, 'live: Smooth IsLive');

sub media_playlist {
    my $m = $t->get($hls // '/none')->{body};
    my ($vpl) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    (my $base = $hls // '') =~ s{/[^/]*$}{};
    return $t->get("$base/" . ($vpl // 'none'))->{body};
}

unlike(media_playlist(), qr/#EXT-X-ENDLIST/, 'live: HLS without ENDLIST');
play('live', \@paths);

# stop: refused with the live output, then removeOutputsOnStop

$out = stage('stop');
like($out, qr/^ok stop without removeOutputsOnStop: RestError 4\d\d$/m,
    'stop refused while the live output exists');
like($out, qr/^ok live output removed$/m, 'removeOutputsOnStop: removed');
$t->stop_publisher($pub);

# VOD through the same paths

$r = $t->get($smooth);
unlike($r->{body}, qr/IsLive="TRUE"/, 'VOD: Smooth not live');
like(media_playlist(), qr/#EXT-X-ENDLIST/, 'VOD: HLS with ENDLIST');
play('VOD', \@paths);

# delete everything; missing resources

$out = stage('cleanup');
like($out, qr/^ok live event deleted: RestError 404$/m,
    'get of a deleted live event: RestError 404');
is($t->get($smooth)->{status}, 404, 'locator deleted: 404');

$t->done_testing();
