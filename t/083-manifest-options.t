#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# AMS manifest options beyond the format: audio-only=true|false in HLS
# masters, HLS I-frame playlists (type=keyframes) with byte ranges into
# the ordinary TS segments, and the Smooth 2.0 manifest (fmp4-v20).
# A live event with three renditions published by ffmpeg.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP ();
use File::Temp ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(location => 'sluice_live_window 30s;');
$t->run();

my $token = '83838383838383838383838383838383';
my $loc = $t->create_preview_event('ev83', $token);
ok($loc, 'event running') or BAIL_OUT('no event');

my $base = "/$loc/preview.ism";
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token";

my @ladder = Sluice::Ingest::fixture('ladder', duration => 8, gop => 2);
my $pub = $t->publish(input => [@ladder], loop => 1,
    url => [ map { "$rtmp/stream$_" } 1 .. 3 ]);

ok(Sluice::Playback::wait_fragments($t, "$base/manifest", 4),
   'four fragments') or BAIL_OUT('no media');

# audio-only: none unless asked

my $m = $t->get("$base/manifest(format=m3u8-aapl)");
is($m->{status}, 200, 'master');
my @inf = $m->{body} =~ /^#EXT-X-STREAM-INF:([^\n]*)\n([^\n]+)/mg;
is(scalar @inf, 6, 'three variants');
is(scalar(grep { /CODECS="mp4a[^,"]*"/ } @inf), 0, 'no audio-only variant');

my $naudio = () = $m->{body} =~ /^#EXT-X-MEDIA:TYPE=AUDIO/mg;
ok($naudio >= 1, "$naudio audio tracks");

my $f = $t->get("$base/manifest(format=m3u8-aapl,audio-only=false)");
is(variants($f->{body}), 3, 'audio-only=false: three variants');

for my $fmt ('m3u8-aapl', 'm3u8-aapl-v3', 'm3u8-cmaf') {
    my $a = $t->get("$base/manifest(format=$fmt,audio-only=true)");
    my %v = variants($a->{body});
    my @audio = grep { $v{$_} =~ /CODECS="mp4a[^,"]*"/ } keys %v;
    is(scalar keys %v, 3 + $naudio, "$fmt audio-only=true: variants");
    is(scalar @audio, $naudio, "$fmt: an audio-only variant per audio");
    next unless @audio;
    unlike($v{$audio[0]}, qr/RESOLUTION=/, "$fmt: audio-only, no resolution");
    my $pl = $t->get("$base/$audio[0]");
    is($pl->{status}, 200, "$fmt: its media playlist");
    my @seg = Sluice::Playback::segments($pl->{body});
    ok(@seg >= 2, "$fmt: audio segments");
    my $dir = $audio[0] =~ s{/[^/]*$}{}r;
    my $s = $t->get("$base/$dir/$seg[0][0]");
    is($s->{status}, 200, "$fmt: its first segment");
}

# I-frame playlists: one per video rendition in the m3u8-aapl master

my @iframe = $m->{body} =~ /^#EXT-X-I-FRAME-STREAM-INF:([^\n]*)$/mg;
is(scalar @iframe, 3, 'three I-frame streams');

for my $l (@iframe) {
    like($l, qr/^BANDWIDTH=\d+,RESOLUTION=\d+x\d+,CODECS="avc1\.[0-9a-f]+",
               URI="QualityLevels\(\d+\)\/Manifest\(video,format=m3u8-aapl,
               type=keyframes\)"$/x, "I-frame stream: $l");
}

like($m->{body}, qr/^#EXT-X-VERSION:4$/m, 'master version 4');

for my $fmt ('m3u8-aapl-v3', 'm3u8-cmaf') {
    my $o = $t->get("$base/manifest(format=$fmt)");
    unlike($o->{body}, qr/I-FRAME/, "no I-frame streams in $fmt");
}

my ($iuri) = ($iframe[0] // '') =~ /URI="([^"]+)"/;
my ($vdir) = ($iuri // '') =~ m{^(QualityLevels\(\d+\))/};

my $ip = $t->get("$base/$iuri");
is($ip->{status}, 200, 'I-frame playlist');
like($ip->{headers}{'content-type'}, qr{^application/vnd\.apple\.mpegurl},
    'I-frame playlist: type');
like($ip->{body}, qr/^#EXTM3U\n#EXT-X-VERSION:4\n/, 'version 4');
like($ip->{body}, qr/^#EXT-X-I-FRAMES-ONLY$/m, 'EXT-X-I-FRAMES-ONLY');

# the same segments as the ordinary playlist, in the same order
my $mp = $t->get("$base/$vdir/Manifest(video,format=m3u8-aapl)");
my @entries = $ip->{body}
    =~ /#EXTINF:([\d.]+),\n#EXT-X-BYTERANGE:(\d+)\@(\d+)\n([^\n]+)/g;
my @ient;
push @ient, [ splice(@entries, 0, 4) ] while @entries;
my @ord = Sluice::Playback::segments($mp->{body});
ok(@ient >= 3, scalar(@ient) . ' I-frame entries');
my %ord = map { $_->[0] => $_->[1] } @ord;
is(scalar(grep { !exists $ord{$_->[3]} } @ient), 0,
    'every I-frame entry is a segment of the media playlist');

# each byte range: starts the segment, PAT and PMT, exactly one video
# access unit, an IDR; the next byte starts the next access unit

for my $e (@ient[0 .. 2]) {
    my ($dur, $len, $off, $uri) = @$e;
    my $what = "I-frame $uri";

    is($off, 0, "$what: at offset 0");

    my $whole = $t->get("$base/$vdir/$uri");
    is($whole->{status}, 200, "$what: segment");

    my $rg = $t->get("$base/$vdir/$uri",
        headers => { Range => "bytes=$off-" . ($off + $len - 1) });
    is($rg->{status}, 206, "$what: 206");
    is(length $rg->{body}, $len, "$what: $len bytes");
    is($rg->{body}, substr($whole->{body}, $off, $len),
        "$what: the segment's bytes");

    my $pk = ts_packets($rg->{body});
    ok($pk->{ok}, "$what: whole packets, each with a sync byte");
    is($pk->{pids}[0], 0, "$what: PAT first");
    is($pk->{pids}[1], 0x1000, "$what: PMT second");
    is($pk->{video_starts}, 1, "$what: one video access unit");
    ok($pk->{idr}, "$what: holds an IDR");

    if ($len < length $whole->{body}) {
        my $next = ts_packets(substr($whole->{body}, $len, 188));
        is($next->{video_starts}, 1, "$what: the next byte starts an AU");
    }

    # the range alone decodes to one keyframe
    my $tmp = File::Temp->new(SUFFIX => '.ts', DIR => $t->testdir);
    print $tmp $rg->{body};
    close $tmp;
    my $fr = probe_frames($tmp->filename);
    is(scalar @$fr, 1, "$what: decodes to one frame");
    is($fr->[0]{key_frame} // 0, 1, "$what: a keyframe");
}

# ffprobe reads the I-frame playlist: one keyframe per entry

my $n = @ient;
# (a live playlist: ffprobe would follow it for ever; N frames from the start)
my $fr = probe_frames(Sluice::Playback::url($t, "$base/$iuri"),
    '-read_intervals', "%+#$n");
ok(@$fr >= $n, "ffprobe: $n entries give " . scalar(@$fr) . ' frames');
is(scalar(grep { ($_->{key_frame} // 0) != 1 } @$fr), 0,
    'ffprobe: every frame a keyframe');

# what has no I-frame playlist

is($t->get("$base/$vdir/Manifest(video,format=m3u8-cmaf,type=keyframes)")
    ->{status}, 404, 'type=keyframes with m3u8-cmaf: 404');
my ($adir) = $m->{body} =~ /URI="(QualityLevels\(\d+\))\/Manifest\(audio/;
is($t->get("$base/$adir/Manifest(audio,format=m3u8-aapl,type=keyframes)")
    ->{status}, 400, 'type=keyframes of audio: 400');
is($t->get("$base/manifest(format=m3u8-aapl,type=keyframes)")->{status},
    400, 'type=keyframes on a master: 400');

# Smooth 2.0

my $sm = $t->get("$base/manifest");
my $v20 = $t->get("$base/manifest(format=fmp4-v20)");
is($v20->{status}, 200, 'fmp4-v20: 200');
like($v20->{headers}{'content-type'}, qr{^text/xml}, 'fmp4-v20: text/xml');
like($v20->{body}, qr/<SmoothStreamingMedia\ MajorVersion="2"
                       \ MinorVersion="0"/x, 'fmp4-v20: version 2.0');
like($sm->{body}, qr/MinorVersion="2"/, 'default: version 2.2');
unlike($v20->{body}, qr/<c\b[^>]*\br=/, 'fmp4-v20: no r attribute');

my @c = $v20->{body} =~ /<c\b[^>]*>/g;
my @q = $v20->{body} =~ /<QualityLevel\b/g;
ok(@c >= 8, 'fmp4-v20: a <c> per fragment');
is(scalar @q, scalar(() = $sm->{body} =~ /<QualityLevel\b/g),
    'fmp4-v20: the quality levels of the default manifest');

my @vf = Sluice::Playback::smooth_fragments($v20->{body}, 'video');
my ($vbr) = $v20->{body} =~ /Type="video".*?<QualityLevel\b[^>]*
                              Bitrate="(\d+)"/sx;
my $t0 = int(($vf[0][0] // 0) * 10_000_000 + 0.5);
my $frag = $t->get("$base/QualityLevels($vbr)/Fragments(video=$t0)");
is($frag->{status}, 200, 'fmp4-v20: its fragment URL');
is(substr($frag->{body}, 4, 4), 'moof', 'fmp4-v20: a moof');

$t->stop_publisher($pub);

$t->done_testing();


# variant URI => attributes of a master; in scalar context their number

sub variants {
    my ($body) = @_;
    my %v = reverse(($body // '') =~ /^#EXT-X-STREAM-INF:([^\n]*)\n([^\n]+)/mg);
    return wantarray ? %v : scalar keys %v;
}


# TS packets: PIDs in order, video PES starts, an IDR NAL unit seen

sub ts_packets {
    my ($d) = @_;
    my %r = (ok => length($d) % 188 == 0 && length($d) > 0, pids => [],
             video_starts => 0, idr => 0);
    my $es = '';

    for (my $p = 0; $p + 188 <= length $d; $p += 188) {
        my ($sync, $b1, $b2, $b3) = unpack('C4', substr($d, $p, 4));
        $r{ok} = 0 if $sync != 0x47;
        my $pid = (($b1 & 0x1f) << 8) | $b2;
        push @{$r{pids}}, $pid;
        next unless $pid == 0x100;
        $r{video_starts}++ if $b1 & 0x40;
        my $h = 4;
        $h += 1 + unpack('C', substr($d, $p + 4, 1)) if $b3 & 0x20;
        $es .= substr($d, $p + $h, 188 - $h) if $h < 188;
    }

    # start code then a NAL unit of type 5 (IDR)
    $r{idr} = 1 if $es =~ /\x00\x00\x01[\x25\x45\x65]/;

    return \%r;
}


sub probe_frames {
    my ($url, @opt) = @_;
    my ($out, $err) = ('', '');

    IPC::Run::run([ 'ffprobe', '-v', 'error', @opt, '-select_streams', 'v',
        '-show_frames', '-show_entries', 'frame=key_frame,pict_type',
        '-of', 'json', $url ], '<', \undef, '>', \$out, '2>', \$err,
        IPC::Run::timeout(60));
    diag($err) if $err;

    my $j = eval { JSON::PP::decode_json($out) } // {};

    return $j->{frames} // [];
}
