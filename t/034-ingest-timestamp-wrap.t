#!/usr/bin/perl

# RTMP timestamps are 32-bit milliseconds: after 49.7 days they wrap from
# 0xFFFFFFFF to 0.  The ingest unwraps them, so a wrap is no
# discontinuity: published with Sluice::RTMP (ffmpeg rebases timestamps
# to 0, so it cannot publish a wrap) with timestamps that wrap 7 s in,
# the timeline keeps increasing, fragments stay 2 s, every frame is
# stored, the HLS playlist has no EXT-X-DISCONTINUITY and the MPD one
# Period.  A backward jump of 3 s (across the wrap, back to before it) in
# a session is a discontinuity: the test tells the two apart.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use Time::HiRes qw(time sleep);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;

my $t = Test::Sluice->new();
$t->has_program('ffprobe');

$t->write_sluice_conf(workers => 1);
$t->run();

my $dir = $t->testdir;

# input timestamps start 7 s before the wrap
my $base = 2**32 - 7000;

###############################################################################
# a wrap 7 s in, paced in real time

my $tok1 = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
my $ev1 = $t->create_live_event('wrap', token => $tok1);
ok($ev1, 'event "wrap" running') or BAIL_OUT('no live event');
my $loc1 = $ev1->{properties}{preview}{previewLocator};

my $av16 = Sluice::Ingest::fixture('av', duration => 16, gop => 2);
my @tags16 = media_tags($av16);
my $keys16 = grep { keyframe($_) } @tags16;

my $before = $t->event_dirs();
# chunks of 4096 bytes: the larger video frames are split, continuation
# chunks carry the extended timestamp too (before the wrap)

ok(publish_tags($tok1, 's', [ map { [ $_, $_->{ts} + $base ] } @tags16 ],
    1, 4096), 'published across the wrap');
my $gen1 = $t->new_event_dir($before);

my ($v1, $a1) = wait_tracks($gen1, $keys16);
my @vt = @{$v1->{times}};
my @at = @{$a1->{times}};

is(scalar @vt, $keys16, "one video fragment per keyframe ($keys16)")
    or diag(explain(\@vt));
ok(abs(($vt[0] // 0) - $base * 90) <= 3000,
    'the timeline begins at the first timestamp (first publisher: offset 0)')
    or diag("first fragment $vt[0], base " . $base * 90);
ok(@vt && $vt[0] < 2**32 * 90 && $vt[-1] > 2**32 * 90,
    'fragments before and after the wrap (2**32 ms)')
    or diag(explain(\@vt));
is_deeply([ map { $vt[$_] - $vt[$_ - 1] } 1 .. $#vt ],
    [ (180000) x $#vt ], 'video fragments of 2 s, increasing across the wrap')
    or diag(explain(\@vt));

is(scalar @at, scalar @vt, 'as many audio fragments');

# audio is cut at the first sample at or after the video cut (AAC frames
# of 1024 samples, FLV times in ms); the first AAC frame of the fixture
# is 46 ms in

my @off = grep {
    my $d = defined $at[$_] && defined $vt[$_]
        ? $at[$_] / 48000 - $vt[$_] / 90000 : -1;
    $d < -0.001 || $d > ($_ ? 1024 / 48000 + 0.001 : 0.1);
} 0 .. $#vt;
is_deeply(\@off, [], 'audio fragments begin with the video ones')
    or diag(explain(\@at, \@vt));

is(count_frames($v1), count_frames({ file => $av16 }, 'v'),
    'every video frame stored');
is(count_frames($a1, 'a'), count_frames({ file => $av16 }, 'a'),
    'every audio frame stored');

my $log = $t->read_file('error.log') // '';
my @j1 = grep { /timestamp jump of -?\d+ ms in "s"/ } split /\n/, $log;
is_deeply(\@j1, [], 'the wrap is no jump');

my $hls1 = hls($loc1);
ok($hls1->{video} && $hls1->{audio}, 'HLS video and audio playlists')
    or diag($hls1->{master});

for my $type ('video', 'audio') {
    my $pl = $hls1->{$type} // '';
    my @inf = $pl =~ /^#EXTINF:([\d.]+)/mg;

    unlike($pl, qr/^#EXT-X-DISCONTINUITY$/m,
        "HLS $type: no discontinuity") or diag($pl);
    is(scalar @inf, $keys16, "HLS $type: every fragment listed")
        or diag($pl);

    # audio: each end within an AAC frame of the video cut; the first
    # begins with the audio, the last ends with it

    pop @inf;
    shift @inf if $type eq 'audio';
    my @bad = grep { abs($_ - 2) > ($type eq 'video' ? 0.001 : 0.045) } @inf;
    is_deeply(\@bad, [], "HLS $type: segments of 2 s") or diag($pl);
}

my $mpd1 = mpd($loc1);
is(scalar @{$mpd1->{periods}}, 1, 'DASH: one Period') or diag($mpd1->{body});
is($mpd1->{periods}[0]{video}{n}, $keys16, 'DASH: every video segment');
is_deeply($mpd1->{periods}[0]{video}{holes}, [],
    'DASH: video timeline without holes') or diag($mpd1->{body});
is_deeply($mpd1->{periods}[0]{audio}{holes}, [],
    'DASH: audio timeline without holes') or diag($mpd1->{body});

###############################################################################
# a backward jump of 3 s at a keyframe 8 s in (after the wrap: back to
# before it) is a discontinuity

my $tok2 = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
my $ev2 = $t->create_live_event('jump', token => $tok2);
ok($ev2, 'event "jump" running');
my $loc2 = $ev2->{properties}{preview}{previewLocator};

my $av10 = Sluice::Ingest::fixture('av', duration => 10, gop => 2);
my @tags10 = media_tags($av10);
my ($at8) = grep { keyframe($tags10[$_]) && $tags10[$_]{ts} >= 8000 }
    0 .. $#tags10;

ok(defined $at8, 'a keyframe at 8 s');
$at8 //= @tags10;

$before = $t->event_dirs();
ok(publish_tags($tok2, 'j', [ map {
    [ $tags10[$_], $tags10[$_]{ts} + $base - ($_ >= $at8 ? 3000 : 0) ]
} 0 .. $#tags10 ], 0), 'published with a jump back');
my $gen2 = $t->new_event_dir($before);

my ($v2) = wait_tracks($gen2, scalar grep { keyframe($_) } @tags10);
my @jt = @{$v2->{times}};

$log = $t->read_file('error.log') // '';
my @jumps = $log =~ /timestamp jump of (-?\d+) ms in "j"/g;
ok(@jumps == 1 && $jumps[0] <= -2900 && $jumps[0] >= -3000,
    'one jump of about -3 s logged (the wrap is none)')
    or diag("jumps: @jumps");
is_deeply([ sort { $a <=> $b } @jt ], \@jt, 'timeline increasing');
ok(@jt >= 5 && $jt[-1] - $jt[0] < 12 * 90000,
    'the timeline continues after the jump')
    or diag(explain(\@jt));

my $hls2 = hls($loc2);
like($hls2->{video} // '', qr/^#EXT-X-DISCONTINUITY$/m,
    'HLS: the jump is a discontinuity') or diag($hls2->{video});
is(scalar @{mpd($loc2)->{periods}}, 2, 'DASH: a second Period');

$t->done_testing();

###############################################################################

# the audio and video tags of an FLV file
sub media_tags {
    my ($file) = @_;
    return grep { $_->{type} == 8 || $_->{type} == 9 }
        Sluice::RTMP::flv_tags($file);
}

# an H.264 keyframe (not the sequence header)
sub keyframe {
    my ($tag) = @_;
    return $tag->{type} == 9 && (ord($tag->{data}) >> 4) == 1
        && ord(substr($tag->{data}, 1, 1)) == 1;
}

# publishes [ tag, timestamp ] pairs, paced on the tags' own times when
# $realtime, in chunks of $chunk bytes (default 60000); false after a
# diagnostic when the publisher fails
sub publish_tags {
    my ($token, $name, $list, $realtime, $chunk) = @_;

    my $ok = eval {
        my $pub = Sluice::RTMP->new(port => $t->port(1935),
            app => "live/$token", chunk_size => $chunk);
        $pub->publish($name);

        my $start = time;

        for my $e (@$list) {
            my ($tag, $ts) = @$e;

            if ($realtime) {
                my $wait = $start + $tag->{ts} / 1000 - time;
                sleep $wait if $wait > 0;
            }

            $pub->message($tag->{type}, $ts, $tag->{data})
                or die "connection closed at $tag->{ts} ms\n";
            $pub->poll();
        }

        $pub->close();
        1;
    };

    diag("publisher: $@") unless $ok;
    return $ok;
}

# the last fragments are written through the thread pool after the
# publisher left (one writer per track): wait until the video track and
# the audio track each hold $n fragments (one per keyframe); returns
# both tracks
sub wait_tracks {
    my ($gen, $n) = @_;

    my @tr;
    $t->wait_for(sub {
        @tr = map { $t->track($gen, $_) } 'video', 'audio';
        return !grep { @{$_->{times}} < $n } @tr;
    }, timeout => 10, what => "$n video and audio fragments");
    return @tr;
}

# frames of a track (init + fragments) or of a file's stream
sub count_frames {
    my ($tr, $stream) = @_;

    return -1 unless $tr->{dir} || $tr->{file};
    my ($n, $e) = $t->track_frames($tr, $stream);
    diag("ffprobe: $e") if $e ne '';
    return $n // -1;
}

# the preview's HLS (CMAF) master playlist and its video and audio media
# playlists
sub hls {
    my ($loc) = @_;

    my $m = $t->get("/$loc/preview.ism/manifest(format=m3u8-cmaf)")->{body}
        // '';
    my %r = (master => $m);

    for my $type ('video', 'audio') {
        my ($uri) = $m =~ m{^(QualityLevels\([^\n]*$type[^\n]*)$}m;
        ($uri) = $m =~ m{URI="(QualityLevels\([^"]*$type[^"]*)"}
            unless $uri;
        $r{$type} = $t->get("/$loc/preview.ism/$uri")->{body} if $uri;
    }

    return \%r;
}

# the preview's MPD: Periods, and in each the video and audio segment
# counts and holes (in the timescale)
sub mpd {
    my ($loc) = @_;

    my $body = $t->get("/$loc/preview.ism/manifest(format=mpd-time-cmaf)")
        ->{body} // '';
    my @periods;

    for my $pd ($body =~ m{(<Period\b.*?</Period>)}sg) {
        my %p;

        for my $type ('video', 'audio') {
            my ($as) = $pd =~ m{(<AdaptationSet\b[^>]*(?:mimeType|contentType)="$type\b.*?</AdaptationSet>)}s;
            my ($tl) = ($as // '') =~ m{<SegmentTimeline>(.*?)</SegmentTimeline>}s;
            my ($pos, $n, @holes) = (undef, 0);

            for my $s (($tl // '') =~ /<S\b([^>]*)>/g) {
                my ($st) = $s =~ /\bt="(\d+)"/;
                my ($d) = $s =~ /\bd="(\d+)"/;
                my ($r) = $s =~ /\br="(\d+)"/;

                push @holes, $st - $pos
                    if defined $st && defined $pos && $st != $pos;
                $pos = ($st // $pos // 0) + $d * (1 + ($r // 0));
                $n += 1 + ($r // 0);
            }

            $p{$type} = { n => $n, holes => \@holes };
        }

        push @periods, \%p;
    }

    return { body => $body, periods => \@periods };
}
