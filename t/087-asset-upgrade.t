#!/usr/bin/perl

# An asset recorded before asset version 2, after the upgrade: a live
# output records a stream (onMetaData language "fra") into an asset as
# the current version, 3 (32-byte index records with key_size,
# descriptors with the language and the closed captions, none here; the
# m3u8-aapl master offers an I-frame playlist), nginx
# stops and every slot is rewritten as the old code wrote it
# (Sluice::Record::make_v1: version 1, 24-byte records, no language).
# The new nginx starts: the end of the recording is found in the version
# 1 index, the asset plays through its streaming locator (HLS m3u8-aapl
# and m3u8-cmaf, DASH mpd-time-csf and Smooth; ffprobe decodes them) with
# LANGUAGE="und", and, as no keyframe size is known, without an I-frame
# playlist (not in the master, 404 for its URL: no byte range from a
# missing key_size).  The same live output goes on recording after the
# restart (the API refuses a second output on a recorded asset): the
# slots stay version 1 (24-byte records appended after the old ones, a
# descriptor without the language though the stream has one), the new
# records follow a discontinuity, and the asset, live and then as video
# on demand once the output is deleted, plays the old and the new
# records, decoded across the two.

use strict;
use warnings;

use Test::More;
use IPC::Run ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Record::config($t);
$t->run();

my $dir = $t->testdir;

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

my $url = Sluice::Record::event($t, 'upg', 'f' x 32);
ok($url, 'live event running') or BAIL_OUT('no live event');

my $id = Sluice::Record::asset($t, 'old');
ok(Sluice::Record::output($t, 'upg', 'show', 'old', 'PT10M'), 'output');
my $adir = "$dir/data/assets/$id";

my $paths = Sluice::Playback::locator($t, 'loc', 'old');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($base) = ($smooth // '') =~ m{^(/[^/]+/show\.ism)/manifest$};
ok($base, 'streaming locator') or BAIL_OUT('no locator paths');

# 8 s, a keyframe every 2 s: four fragments a track per session
my $av = Sluice::Ingest::fixture('av', duration => 8, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');

###############################################################################
# recorded by the current version (3; version 2 had the same records)

session('first session');

my @v2 = Sluice::Record::slots($adir);
is(scalar @v2, 2, 'two slots');

for my $s (@v2) {
    my $n = @{ $s->{records} };
    is("$s->{version} $s->{lang} $s->{captions}", '3 fra 0',
        "$s->{type}: version 3, the language, no captions");
    ok($n >= 3 && -s "$s->{dir}/index" == 32 * $n,
        "$s->{type}: $n records of 32 bytes");
}

my ($v2video) = grep { $_->{type} eq 'video' } @v2;
is(scalar(grep { !$_->{key_size} } @{ $v2video->{records} // [] }), 0,
    'video: every version 2 record has its keyframe size');

my $m = $t->get("$base/manifest(format=m3u8-aapl)")->{body} // '';
like($m, qr/^#EXT-X-I-FRAME-STREAM-INF:.*type=keyframes\)"$/m,
    'version 2: the master offers the I-frame playlist');

###############################################################################
# the upgrade: the files as the old code wrote them, the new binary starts

$t->stop();

my %v2_size = map { $_->{slot} => -s "$_->{dir}/track" } @v2;

ok(Sluice::Record::make_v1($_), "$_->{type}: rewritten as version 1")
    for @v2;

my %old = map { $_->{slot} => $_ } Sluice::Record::slots($adir);
my %track_size = map { $_ => -s "$old{$_}{dir}/track" } keys %old;

for my $s (@v2) {
    my $o = $old{ $s->{slot} } // { records => [] };
    my $n = @{ $s->{records} };
    is("$o->{version} $o->{lang}", '1 ', "$s->{type}: version 1, no language");
    is(-s "$o->{dir}/index", 24 * $n, "$s->{type}: $n records of 24 bytes");
    is_deeply($o->{records},
        [ map { { %$_, key_size => 0 } } @{ $s->{records} } ],
        "$s->{type}: the same records, without key_size");
    is("$v2_size{ $s->{slot} } $track_size{ $s->{slot} }", '712 688',
        "$s->{type}: a version 1 descriptor, without the language");
}

my $from = $t->log_offset();
$t->run();

ok($t->wait_for(sub { $t->live_event_state('upg') eq 'Running' }, 10),
    'event Running after the restart');

my $end = 0;

for my $s (values %old) {
    my $r = $s->{records}[-1] or next;
    my $e = int((($r->{time} + $r->{duration}) * 1000 + $s->{timescale} - 1)
                / $s->{timescale});
    $end = $e if $e > $end;
}

like(substr($t->read_file('error.log') // '', $from),
    qr/live output "show" of live event "upg" recorded up to $end ms/,
    "the end of the version 1 recording found at start ($end ms)");

# the output is still there and its event runs: the asset plays live
# (cloud DVR), from the version 1 records only

my %n1 = play('version 1, live', 'und');

###############################################################################
# the same output records on into the version 1 slots

session('after the upgrade');

my @after = Sluice::Record::slots($adir);
is(scalar @after, 2, 'still two slots');

for my $s (@after) {
    my $o = $old{ $s->{slot} } // { records => [] };
    my $r = $s->{records};
    my $n = @{ $o->{records} };

    is("$s->{version} $s->{lang}", '1 ',
        "$s->{type}: still version 1, no language");
    is((-s "$s->{dir}/index") % 24, 0, "$s->{type}: index of 24-byte records");
    is(-s "$s->{dir}/index", 24 * @$r, "$s->{type}: " . @$r . ' records');
    is(-s "$s->{dir}/track", $track_size{ $s->{slot} },
        "$s->{type}: the descriptor stays version 1");
    ok(@$r >= $n + 3, "$s->{type}: records appended");
    is_deeply([ @$r[0 .. $n - 1] ], $o->{records},
        "$s->{type}: the old records untouched");
    ok(increasing($r), "$s->{type}: times and seqs keep increasing");
    ok(@$r > $n && ($r->[$n]{flags} & 1),
        "$s->{type}: the first new record follows a discontinuity");
    ok(scalar(grep { $_ == $n } gaps("$s->{dir}/gaps")),
        "$s->{type}: the gaps file names it ($n)");
    is(scalar(grep { !-e "$s->{dir}/$_->{time}.m4s" } @$r), 0,
        "$s->{type}: every record has its file");
}

my %n2 = play('version 1 continued, live', 'und');

ok($n2{hls} > $n1{hls} && $n2{smooth} > $n1{smooth},
    "live: more segments ($n1{hls} -> $n2{hls} HLS, $n1{smooth} -> "
    . "$n2{smooth} Smooth)");

# the output deleted: video on demand, the old and the new records

ok(Sluice::Record::delete_output($t, 'upg', 'show'), 'output deleted');

my %n3 = play('version 1, video on demand', 'und');

is($n3{hls}, $n2{hls}, 'video on demand: the same segments');

my $vpl = media_playlist('m3u8-cmaf');
like($vpl, qr/#EXT-X-PLAYLIST-TYPE:VOD\n/, 'video on demand: VOD playlist');
like($vpl, qr/#EXT-X-ENDLIST\n$/, 'video on demand: ENDLIST');
my @disc = $vpl =~ /^#EXT-X-DISCONTINUITY$/mg;
is(scalar @disc, 1, 'video on demand: one discontinuity, the restart');
like($t->get("$base/manifest(format=mpd-time-csf)")->{body} // '',
    qr/type="static"/, 'video on demand: a static MPD');
like($t->get($smooth)->{body} // '', qr/IsLive="FALSE"/,
    'video on demand: Smooth IsLive="FALSE"');

# every frame of both sessions decodes, across the discontinuity

my $secs = 0;
$secs += $_->[1] for Sluice::Playback::segments($vpl);
my $frames = count_frames("$base/manifest(format=m3u8-cmaf)");
ok($secs >= 12 && abs($frames - 30 * $secs) <= 30 * 0.5,
    "video on demand: $frames frames decoded for $secs s of segments");

$t->done_testing();

###############################################################################

# one publishing session of the whole fixture (language "fra"), until the
# output has recorded the last fragment of each track

sub session {
    my ($what) = @_;

    my $from = $t->log_offset();
    my $marks = $t->live_marks();

    my $pub = $t->publish(input => $av, url => "$url/s",
        args => [ '-metadata', 'language=fra' ]);
    is($t->wait_publisher_exit($pub, 30), 0, "$what: published");
    ok($t->wait_log(qr/"s" stops publishing to live event "upg"/,
        from => $from), "$what: the publisher left");

    my ($gen) = sort { $b =~ s{.*/}{}r <=> $a =~ s{.*/}{}r }
        grep { -d } glob("$dir/data/live/*/*");
    my $tracks = $t->wait_track_end($gen, 6, since => $marks);
    ok($tracks, "$what: the last fragments written");

    ok($t->wait_for(sub {
        my %last = map { $_->{type} => $_->{records}[-1]{time} // -1 }
            Sluice::Record::slots($adir);
        return @{ $tracks // [] } == 2 && !grep {
            ($last{ $_->{type} } // -1) != $_->{times}[-1] } @$tracks;
    }, 10), "$what: the output recorded them");
}

# the asset through its locator in every format; returns the number of
# video segments of the m3u8-cmaf playlist and of Smooth fragments

sub play {
    my ($what, $lang) = @_;

    for my $f (qw(m3u8-aapl m3u8-cmaf mpd-time-csf)) {
        my $path = "$base/manifest(format=$f)";
        my ($j, $err) = Sluice::Playback::ffprobe($t, $path);
        my @s = $j ? @{ $j->{streams} // [] } : ();
        ok((grep { ($_->{codec_name} // '') eq 'h264'
                   && ($_->{width} // 0) == 320 } @s)
           && (grep { ($_->{codec_name} // '') eq 'aac' } @s),
            "$what: $f: ffprobe finds h264 320 wide and aac") or diag($err);
        is($err, '', "$what: $f: ffprobe says nothing");
    }

    my $master = $t->get("$base/manifest(format=m3u8-aapl)")->{body} // '';
    like($master, qr/^#EXT-X-MEDIA:TYPE=AUDIO,[^\n]*LANGUAGE="$lang"/m,
        "$what: audio LANGUAGE=\"$lang\"");

    # no keyframe sizes in version 1 records: no I-frame playlist
    unlike($master, qr/I-FRAME/, "$what: no EXT-X-I-FRAME-STREAM-INF");

    my ($vdir) = $master =~ m{^(QualityLevels\(\d+\))/Manifest\(video}m;
    my $ip = $t->get("$base/" . ($vdir // 'none')
        . '/Manifest(video,format=m3u8-aapl,type=keyframes)');
    is($ip->{status}, 404, "$what: the I-frame playlist is 404");
    like($ip->{body} // '', qr/keyframe sizes unknown/,
        "$what: no byte range from an unknown keyframe size");

    my $aapl = media_playlist('m3u8-aapl');
    my @ts = Sluice::Playback::segments($aapl);
    ok(@ts >= 3, "$what: m3u8-aapl: " . @ts . ' segments');
    unlike($aapl, qr/BYTERANGE|I-FRAMES-ONLY/,
        "$what: m3u8-aapl: no byte range");

    my $seg = $t->get("$base/" . ($vdir // 'none') . '/'
        . ($ts[-1][0] // 'none'));
    ok($seg->{status} == 200 && substr($seg->{body}, 0, 1) eq "\x47",
        "$what: the last TS segment");

    my @cmaf = Sluice::Playback::segments(media_playlist('m3u8-cmaf'));

    my $sm = $t->get($smooth);
    my @frag = Sluice::Playback::smooth_fragments($sm->{body}, 'video');
    ok($sm->{status} == 200 && @frag == @cmaf,
        "$what: Smooth: " . @frag . ' video fragments') or diag($sm->{body});

    my ($q) = $sm->{body} =~ /<StreamIndex\b[^>]*Type="video"
                               .*?<QualityLevel\b[^>]*Bitrate="(\d+)"/sx;
    my ($scale) = $sm->{body}
        =~ /<SmoothStreamingMedia\b[^>]*TimeScale="(\d+)"/;
    $scale ||= 10_000_000;
    my @mf;

    for my $f ($frag[0], $frag[-1]) {
        my $r = $t->get("$base/QualityLevels(" . ($q // 0)
            . ')/Fragments(video=' . int(($f->[0] // 0) * $scale + 0.5) . ')');
        push @mf, $r->{status} == 200 && substr($r->{body}, 4, 4) eq 'moof';
    }

    ok($mf[0] && $mf[1], "$what: Smooth: the first and the last fragment");

    return (hls => scalar @cmaf, smooth => scalar @frag);
}

sub media_playlist {
    my ($format) = @_;

    my $m = $t->get("$base/manifest(format=$format)")->{body} // '';
    my ($p) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    return $p ? $t->get("$base/$p")->{body} // '' : '';
}

sub count_frames {
    my ($path) = @_;

    my ($o, $e) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-extension_picky', '0',
        '-select_streams', 'v:0', '-count_frames', '-show_entries',
        'stream=nb_read_frames', '-of', 'csv=p=0',
        Sluice::Playback::url($t, $path) ],
        '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(60));
    diag($e) if $e ne '';

    my ($n) = $o =~ /(\d+)/;
    return $n // 0;
}

sub gaps {
    my ($file) = @_;

    open my $fh, '<:raw', $file or return ();
    local $/;
    my $d = <$fh> // '';
    close $fh;
    return unpack('Q<*', substr($d, 0, length($d) - length($d) % 8));
}

sub increasing {
    my ($r) = @_;

    for my $i (1 .. $#$r) {
        return 0 if $r->[$i]{time} <= $r->[$i - 1]{time}
            || $r->[$i]{seq} <= $r->[$i - 1]{seq};
    }

    return 1;
}
