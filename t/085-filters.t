#!/usr/bin/perl

# Dynamic manifests (issue 10): account and asset filters applied per
# request to a live event of three renditions (three RTMP streams, each
# with video and audio), through its preview and through streaming
# locators of its recording.
#
#   track selections (bitrate range OR type; type; FourCC) in the HLS
#   master, the MPD and the Smooth manifest; child URLs carrying
#   filter=...; a segment of a filtered-out track refused through a
#   filtered URL, served without one; filter=a;b intersecting; more than
#   3 filters: 400; an unknown filter: 404 with a JSON reason;
#   liveBackoffDuration holding the newest fragments back;
#   firstQuality first in the master; a locator's filters that the URL
#   cannot undo; an asset filter winning over the account filter of the
#   same name; startTimestamp trimming a live archive and endTimestamp
#   the archive once it is video on demand; ffprobe and hls.js play a
#   filtered URL.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Players;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = 'f117e4f117e4f117e4f117e4f117e400';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $loc = $t->create_preview_event('filt1', $token);
ok($loc, 'live event with a preview') or BAIL_OUT('no live event');

my @ladder = Sluice::Ingest::fixture('ladder', duration => 10, gop => 2);
my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

my $pbase = "/$loc/preview.ism";
ok(Sluice::Playback::wait_fragments($t, "$pbase/manifest", 4),
    'fragments') or BAIL_OUT($t->read_file('error.log'));

# the filters

sub sel {
    return { trackSelections => [ map {
        { property => $_->[0], operation => $_->[1], value => $_->[2] }
    } @_ ] };
}

my %filters = (
    lowv => { tracks => [ sel([ 'Type', 'Equal', 'Video' ],
                              [ 'Bitrate', 'Equal', '0-1500000' ]),
                          sel([ 'Type', 'Equal', 'Audio' ]) ] },
    audio => { tracks => [ sel([ 'Type', 'Equal', 'Audio' ]) ] },
    video => { tracks => [ sel([ 'Type', 'NotEqual', 'Audio' ]) ] },
    avc => { tracks => [ sel([ 'FourCC', 'Equal', 'avc1' ]) ] },
    back => { presentationTimeRange => { liveBackoffDuration => 4,
                                         timescale => 1 } },
    fq => { firstQuality => { bitrate => 2500000 } },
    fqlow => { firstQuality => { bitrate => 100000 } },
);

for my $n (sort keys %filters) {
    my $r = $t->api(PUT => "accountFilters/$n",
        { properties => $filters{$n} });
    is($r->{status}, 201, "account filter $n") or diag($r->{body});
}

# --- track selections ----------------------------------------------------

sub variants {
    my ($m) = @_;
    return [ sort { $a <=> $b }
             map { /\bBANDWIDTH=(\d+)/ ? $1 : () }
             $m =~ /^#EXT-X-STREAM-INF:(.*)$/mg ];
}

sub video_urls {
    my ($m) = @_;
    return [ $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}mg ];
}

my $all = $t->get("$pbase/manifest(format=m3u8-aapl)");
my $low = $t->get("$pbase/manifest(format=m3u8-aapl,filter=lowv)");
is($low->{status}, 200, 'filter=lowv: 200');
my @vall = @{ video_urls($all->{body}) };
my @vlow = @{ video_urls($low->{body}) };
is(scalar @vall, 3, 'unfiltered master: three video renditions');
is(scalar @vlow, 2, 'filter=lowv: two video renditions')
    or diag($low->{body});
ok(!grep({ /QualityLevels\((\d+)\)/ && $1 > 1500000 } @vlow),
    'filter=lowv: none above 1.5 Mbps');
like($low->{body}, qr/^#EXT-X-MEDIA:TYPE=AUDIO,.*URI="QualityLevels\(\d+\)\/Manifest\(audio,format=m3u8-aapl,filter=lowv\)"/m,
    'filter=lowv: the audio kept, its URL filtered');
ok(@vlow && !grep({ !/,filter=lowv\)$/ } @vlow),
    'filter=lowv: the child URLs carry the filter');

my ($high) = grep { /QualityLevels\((\d+)\)/ && $1 > 1500000 } @vall;
my ($hdir) = ($high // '') =~ m{^(QualityLevels\(\d+\))/};
my $hpl = $t->get("$pbase/$high")->{body} // '';
my ($hseg) = Sluice::Playback::segments($hpl);
ok($hseg, 'the 2.5 Mbps rendition has segments');
(my $fseg = $hseg->[0] // 'x') =~ s/\)(\.ts)?$/,filter=lowv)$1/;
is($t->get("$pbase/$hdir/" . ($hseg->[0] // 'x'))->{status}, 200,
    'its segment without a filter: 200');
my $r = $t->get("$pbase/$hdir/$fseg");
is($r->{status}, 404, 'its segment through filter=lowv: 404');
like($r->{body}, qr/^\{"error":\{"code":"404","message":"[^"]*filter/,
    'a JSON reason');
(my $fpl = $high // 'x') =~ s/\)$/,filter=lowv)/;
is($t->get("$pbase/$fpl")->{status}, 404,
    'its playlist through filter=lowv: 404');

my ($lseg) = Sluice::Playback::segments(
    $t->get("$pbase/$vlow[0]")->{body} // '');
like($lseg->[0] // '', qr/,filter=lowv\)\.ts$/,
    'a kept rendition\'s segments carry the filter');
my ($ldir) = ($vlow[0] // '') =~ m{^(QualityLevels\(\d+\))/};
is($t->get("$pbase/$ldir/" . ($lseg->[0] // 'x'))->{status}, 200,
    'and are served');

# DASH and Smooth

my $mpd = $t->get("$pbase/manifest(format=mpd-time-csf,filter=lowv)")->{body}
    // '';
my ($vset) = $mpd =~ m{(<AdaptationSet\b[^>]*contentType="video".*?</AdaptationSet>)}s;
is(scalar(() = ($vset // '') =~ /<Representation\b/g), 2,
    'MPD filter=lowv: two video Representations');
like($vset // '', qr/media="[^"]*,filter=lowv\)"/,
    'MPD: the segment template carries the filter');
like($mpd, qr/contentType="audio"/, 'MPD: the audio kept');

my $ss = $t->get("$pbase/manifest(filter=lowv)")->{body} // '';
my ($vidx) = $ss =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
is(scalar(() = ($vidx // '') =~ /<QualityLevel\b/g), 2,
    'Smooth filter=lowv: two video QualityLevels');

$mpd = $t->get("$pbase/manifest(format=mpd-time-cmaf,filter=audio)")->{body}
    // '';
ok($mpd =~ /contentType="audio"/ && $mpd !~ /contentType="video"/,
    'MPD filter=audio: audio only');
is(scalar @{ video_urls($t->get("$pbase/manifest(format=m3u8-cmaf,"
    . 'filter=avc)')->{body} // '') }, 3, 'filter=avc (FourCC): all video');

# intersection, limits, unknown names

$r = $t->get("$pbase/manifest(format=m3u8-aapl,filter=lowv;video)");
is(scalar @{ video_urls($r->{body} // '') }, 2,
    'filter=lowv;video: two video renditions');
unlike($r->{body} // '', qr/TYPE=AUDIO/, 'filter=lowv;video: no audio');

$r = $t->get("$pbase/manifest(format=m3u8-aapl,filter=lowv;video;audio)");
is($r->{status}, 404, 'filter=lowv;video;audio: nothing left, 404');

$r = $t->get("$pbase/manifest(format=m3u8-aapl,filter=lowv;video;avc;fq)");
is($r->{status}, 400, 'four filters: 400');

$r = $t->get("$pbase/manifest(format=m3u8-aapl,filter=nosuch)");
is($r->{status}, 404, 'an unknown filter: 404');
like($r->{body}, qr/unknown filter \\"nosuch\\"/, 'the name in the reason');
like($r->{headers}{'content-type'} // '', qr{^application/json},
    'a JSON body');

# firstQuality

my $fq = $t->get("$pbase/manifest(format=m3u8-aapl,filter=fq)")->{body} // '';
my ($first) = $fq =~ /^#EXT-X-STREAM-INF:[^\n]*\n(QualityLevels\(\d+\))/m;
my ($highest) = sort { $b <=> $a }
    map { /QualityLevels\((\d+)\)/ ? $1 : () } @vall;
is($first, "QualityLevels($highest)", 'firstQuality: the 2.5 Mbps first');

# the unfiltered order is the order the layers were published in, which
# varies: the lowest rendition asked first is the check that can fail
my $fql = $t->get("$pbase/manifest(format=m3u8-aapl,filter=fqlow)")->{body}
    // '';
my ($first_low) = $fql =~ /^#EXT-X-STREAM-INF:[^\n]*\n(QualityLevels\(\d+\))/m;
my ($lowest) = sort { $a <=> $b }
    map { /QualityLevels\((\d+)\)/ ? $1 : () } @vall;
is($first_low, "QualityLevels($lowest)", 'firstQuality 100 kbps: the lowest first');

# liveBackoffDuration: 4 s held back from the live edge

sub last_time {
    my ($pl) = @_;
    my @s = Sluice::Playback::segments($pl // '');
    return @s && $s[-1][0] =~ /=(\d+),/ ? $1 : -1;
}

my $vpl = $vlow[0] =~ s/,filter=lowv//r;
my $fb = last_time($t->get("$pbase/" . ($vpl =~ s/\)$/,filter=back)/r))
    ->{body});
my $ub = last_time($t->get("$pbase/$vpl")->{body});
ok($fb > 0 && $ub - $fb >= 4 * 90000 && $ub - $fb <= 8 * 90000,
    'liveBackoffDuration 4 s: the newest 4 s held back ('
    . ($ub - $fb) / 90000 . ' s)');

# ffprobe reads a filtered master: two video streams, audio

my ($j, $err) = Sluice::Playback::ffprobe($t,
    "$pbase/manifest(format=m3u8-aapl,filter=lowv).m3u8");
my @streams = @{ ($j // {})->{streams} // [] };
is(scalar(grep { ($_->{codec_type} // '') eq 'video' } @streams), 2,
    'ffprobe: two video streams through filter=lowv') or diag($err);

# --- streaming locators of the recording ----------------------------------

my $paths = Sluice::Playback::record($t, 'filt1', 'o1', 'a1', 'all',
    archiveWindowLength => 'PT10M', manifestName => 'show');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($aid) = ($smooth // '') =~ m{^/([^/]+)/};
ok($aid, 'locator of the recording');
my $abase = "/$aid/show.ism";
ok(Sluice::Playback::wait_fragments($t, "$abase/manifest", 3),
    'recorded fragments');

# an asset filter named as an account filter wins on that asset

$r = $t->api(PUT => 'assets/a1/assetFilters/audio',
    { properties => { tracks => [ sel([ 'Type', 'Equal', 'Video' ]) ] } });
is($r->{status}, 201, 'asset filter "audio" (video only)') or diag($r->{body});
$r = $t->get("$abase/manifest(format=m3u8-aapl,filter=audio)");
ok($r->{status} == 200 && @{ video_urls($r->{body}) } == 3
   && $r->{body} !~ /TYPE=AUDIO/,
   'on the asset, filter=audio is the asset\'s: video only')
    or diag($r->{body});
$r = $t->get("$pbase/manifest(format=m3u8-aapl,filter=audio)");
ok($r->{status} == 200 && !@{ video_urls($r->{body}) },
   'on the preview, the account\'s: no video') or diag($r->{body});

# a locator with filters: the URL cannot undo them

my $fpaths = Sluice::Playback::locator($t, 'low', 'a1', undef,
    filters => [ 'lowv' ]);
my ($fsmooth) = @{ $fpaths->{SmoothStreaming} // [] };
my ($fid) = ($fsmooth // '') =~ m{^/([^/]+)/};
ok($fid, 'a locator with filters [lowv]');
$r = $t->get("/$fid/show.ism/manifest(format=m3u8-aapl)");
is(scalar @{ video_urls($r->{body} // '') }, 2,
    'its master without filter=: two video renditions') or diag($r->{body});
$r = $t->get("/$fid/show.ism/manifest(format=m3u8-aapl,filter=video)");
is(scalar @{ video_urls($r->{body} // '') }, 2,
    'with filter=video too: still two');
is($t->get("/$fid/show.ism/$hdir/" . ($hseg->[0] // 'x'))->{status}, 404,
    'the 2.5 Mbps segments through it: 404');

# startTimestamp on the live archive (the video timescale), then the end
# once it is video on demand

ok(Sluice::Playback::wait_fragments($t, "$abase/manifest", 7),
    'seven recorded fragments');
my $apl = $t->get("$abase/$vpl")->{body} // '';
my @as = Sluice::Playback::segments($apl);
my ($t0) = ($as[0][0] // '') =~ /=(\d+),/;
my ($t2) = ($as[2][0] // '') =~ /=(\d+),/;
ok(defined $t0 && defined $t2, 'archive: three segments');
$r = $t->api(PUT => 'assets/a1/assetFilters/trim', { properties => {
    presentationTimeRange => { startTimestamp => $t2 // 0,
        endTimestamp => ($t2 // 0) + 4 * 90000, timescale => 90000 } } });
is($r->{status}, 201, 'asset filter trim') or diag($r->{body});

my $trim = "$abase/" . ($vpl =~ s/\)$/,filter=trim)/r);
my @ts = Sluice::Playback::segments($t->get($trim)->{body} // '');
is(($ts[0][0] // '') =~ /=(\d+),/ ? $1 : -1, $t2,
    'live archive: starts at startTimestamp');
ok(@ts > 2, 'live archive: the end is not applied while live');

$r = $t->api(DELETE => 'liveEvents/filt1/liveOutputs/o1');
ok($r->{status} == 200 || $r->{status} == 202, 'live output deleted');
$t->wait_for(sub {
    $t->get($trim)->{body} =~ /#EXT-X-ENDLIST/;
}, 30);
@ts = Sluice::Playback::segments($t->get($trim)->{body} // '');
is(scalar @ts, 2, 'video on demand: from start to end, two segments')
    or diag($t->get($trim)->{body});

# hls.js plays a filtered URL

SKIP: {
    my $why = Sluice::Players::not_ready();
    skip($why, 1) if $why;

    my $res = Sluice::Players::play($t, 'hls',
        Sluice::Playback::url($t,
            "$pbase/manifest(format=m3u8-cmaf,filter=lowv).m3u8"));
    ok($res->{ok} && ($res->{height} // 0) <= 540,
       'hls.js plays filter=lowv (at most 540 lines)')
        or diag(JSON::PP->new->canonical->encode($res));
}

$t->stop_publisher($pub);

$t->done_testing();
