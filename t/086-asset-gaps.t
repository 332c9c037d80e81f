#!/usr/bin/perl

# Reconnect gaps in a recorded asset (issue 10): the recorder writes the
# number of every index record that follows a hole to the track's "gaps"
# file before the record itself, so that an asset's manifests count the
# discontinuities before their window (HLS EXT-X-DISCONTINUITY-SEQUENCE
# steady as the window slides past a gap) and start the DASH Period where
# the media before the last hole ends, without reading the whole index.
#
#   a real reconnect: one gaps entry per track, naming a flagged record;
#   an index of 100 records with holes before records 20 and 60 (and a
#   gaps file with a stale entry naming an unflagged record and a
#   repeated one, as a crash between the two writes leaves them), played
#   live (the output still recording) and then as video on demand, with
#   a 1-minute window: the playlist's window starts after both holes and
#   says EXT-X-DISCONTINUITY-SEQUENCE:2; live, the MPD's Period starts
#   (and is named) at 130 s, where the media before the second hole
#   ends; without the gaps file (an asset recorded before it existed)
#   only what is inside the window counts;
#   the audio a record behind the video, its window beginning at the
#   record after a hole, which aligning the tracks trims off: the hole
#   counts before the audio window as before the video one (both
#   EXT-X-DISCONTINUITY-SEQUENCE:2; it said 1, the audio's tag gone).

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = 'ca9ca9ca9ca9ca9ca9ca9ca9ca9ca9ca';
ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');
my $url = Sluice::Record::event($t, 'gap1', $token);
ok($url, 'live event') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'gap1', 'o1', 'a1', 'loc',
    archiveWindowLength => 'PT1M', manifestName => 'show');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($base) = ($smooth // '') =~ m{^(/[^/]+/show\.ism)/manifest$};
ok($base, 'locator') or BAIL_OUT('no locator');

my $id = $t->api(GET => 'assets/a1')->{json}{properties}{assetId};
my $adir = $t->testdir . "/data/assets/$id";

# --- a real reconnect ----------------------------------------------------

my $av = Sluice::Ingest::fixture('av', duration => 4, gop => 2);

for my $round (1, 2) {
    my $from = $t->log_offset();
    my $pub = $t->publish(input => $av, url => "$url/s");
    $t->wait_publisher_exit($pub, 30);
    $t->wait_log(qr/"s" stops publishing to live event "gap1"/,
        from => $from);
}

ok($t->wait_for(sub {
    my @s = Sluice::Record::slots($adir);
    return @s == 2 && !grep { !grep { $_->{flags} & 1 } @{ $_->{records} } }
        @s;
}, 20), 'after the reconnect each track has a flagged record');

for my $s (Sluice::Record::slots($adir)) {
    my @g = gaps("$s->{dir}/gaps");
    my @flagged = grep { $s->{records}[$_]{flags} & 1 }
        0 .. $#{ $s->{records} };
    is_deeply(\@g, \@flagged,
        "$s->{type}: the gaps file names the flagged records (@flagged)");
}

# --- 100 records, holes before 20 and 60 ---------------------------------

# the output still records (the event runs): played live, its window the
# last minute (the archive window)

for my $s (Sluice::Record::slots($adir)) {
    write_holed_index($s, 99);
    write_file("$s->{dir}/gaps", pack('Q<*', 20, 40, 60, 60));
}

for my $mode ('live', 'video on demand') {
    if ($mode ne 'live') {
        ok(Sluice::Record::delete_output($t, 'gap1', 'o1'),
            'output deleted');

    } else {
        # records the recorder did not write: a live asset shows the
        # records of a track that may still get a recording job only up
        # to its last one (docs/architecture.md, "Durability"), these
        # once the tracks' publishers left two fragment durations ago
        $t->wait_for(sub {
            my ($f) = media_playlist() =~ /Fragments\(video=(\d+),/;
            return ($f // 0) > 140 * 90000;
        }, timeout => 15, interval => 0.5);
    }

    my $vpl = media_playlist();
    my @segs = Sluice::Playback::segments($vpl);
    my ($first) = ($segs[0][0] // '') =~ /=(\d+),/;
    ok(@segs >= 25 && @segs <= 35 && ($first // 0) > 140 * 90000,
        "$mode: the window is the last minute, after both holes ("
        . @segs . ' segments)') or diag($vpl);
    like($vpl, qr/^#EXT-X-DISCONTINUITY-SEQUENCE:2$/m,
        "$mode: EXT-X-DISCONTINUITY-SEQUENCE:2 (the stale entry skipped, "
        . 'the repeated one counted once)');
    unlike($vpl, qr/^#EXT-X-DISCONTINUITY$/m,
        "$mode: no hole inside the window");

    my $mpd = $t->get("$base/manifest(format=mpd-time-csf)")->{body} // '';
    my @periods = $mpd =~ /<Period\b([^>]*)>/g;
    is(scalar @periods, 1, "$mode: one Period");

    if ($mode eq 'live') {
        # the Period of a dynamic MPD starts where the media before the
        # last hole ends, its id with it: both stay while the window
        # slides through the Period
        like($periods[0] // '', qr/\bid="130000"[^>]*\bstart="PT130(?:\.0+)?S"/,
            'live: the Period starts at 130 s, where the media before the '
            . 'second hole ends') or diag($mpd);
    } else {
        like($mpd, qr/type="static"/, 'video on demand: a static MPD');
    }
}

# without the gaps file: what the window holds only

unlink glob("$adir/*/gaps");
my $vpl = media_playlist();
like($vpl, qr/^#EXT-X-DISCONTINUITY-SEQUENCE:0$/m,
    'no gaps file: the discontinuities inside the window only (none)');

# --- the audio a record behind, its window beginning at the hole ---------

# video records 0-90, audio 0-89 (its last fragment not recorded yet),
# holes before 20 and 60: a minute back from each track's end, the video
# window begins at record 61 and the audio one at 60, the first after the
# second hole, which the tracks' alignment trims off (both begin at 61).
# That hole left the audio window as it left the video one: both
# playlists count two discontinuities before their window
# (EXT-X-DISCONTINUITY-SEQUENCE:2, RFC 8216 6.2.2) and have the same
# EXT-X-MEDIA-SEQUENCE.

for my $s (Sluice::Record::slots($adir)) {
    write_holed_index($s, $s->{type} eq 'video' ? 90 : 89);
    write_file("$s->{dir}/gaps", pack('Q<*', 20, 60));
}

my $m = $t->get("$base/manifest(format=m3u8-cmaf)")->{body} // '';
my ($vp) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
my ($ap) = $m =~ m{URI="(QualityLevels\(\d+\)/Manifest\(audio[^"]*)"};
my %pl = (video => $vp ? $t->get("$base/$vp")->{body} // '' : '',
          audio => $ap ? $t->get("$base/$ap")->{body} // '' : '');

for my $type ('video', 'audio') {
    my ($msn) = $pl{$type} =~ /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m;
    my ($dsn) = $pl{$type} =~ /^#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)$/m;
    my $tags = () = $pl{$type} =~ /^#EXT-X-DISCONTINUITY$/mg;
    is(($msn // '-') . ' ' . ($dsn // '-') . " $tags", '61 2 0',
        "$type a record behind or not: EXT-X-MEDIA-SEQUENCE:61, "
        . 'EXT-X-DISCONTINUITY-SEQUENCE:2, no hole in the window')
        or diag($pl{$type});
}

$t->done_testing();


sub media_playlist {
    my $m = $t->get("$base/manifest(format=m3u8-aapl)")->{body} // '';
    my ($p) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    return $p ? $t->get("$base/$p")->{body} // '' : '';
}

sub gaps {
    my ($file) = @_;
    open my $fh, '<:raw', $file or return ();
    local $/;
    my $d = <$fh> // '';
    close $fh;
    return unpack('Q<*', substr($d, 0, length($d) - length($d) % 8));
}

sub write_file {
    my ($file, $data) = @_;
    open my $fh, '>:raw', "$file.tmp" or die "$file: $!";
    print $fh $data;
    close $fh or die "$file: $!";
    rename "$file.tmp", $file or die "$file: $!";
}

# the index of slot $s: records 0 .. $last of 2 s, each a copy of the
# first, holes of 10 s before records 20 and 60 (flagged)
sub write_holed_index {
    my ($s, $last) = @_;

    my $r0 = $s->{records}[0];
    my $d = 2 * $s->{timescale};
    my $data = '';

    for my $i (0 .. $last) {
        my $hole = ($i >= 20 ? 10 : 0) + ($i >= 60 ? 10 : 0);
        $data .= Sluice::Record::pack_record({
            time => $i * $d + $hole * $s->{timescale}, duration => $d,
            seq => $i, size => $r0->{size},
            flags => ($i == 20 || $i == 60) ? 1 : 0, init => $r0->{init} },
            $s->{version});
    }

    write_file("$s->{dir}/index", $data);
}
