#!/usr/bin/perl

# Receive batching of publishing connections (sluice_ingest_batch): the
# socket's low mark follows the measured bitrate (about 100 ms of it by
# default), is dropped by the watchdog when the bitrate falls, is never set
# for an application with "sluice_ingest_batch 0"; what is stored is the
# same with and without batching (same fragments, same sizes, same
# durations, every frame).

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

# the low mark is reported in debug lines only

$t->skip_all('nginx built without --with-debug')
    unless `$t->{nginx} -V 2>&1` =~ /--with-debug/;

$t->write_sluice_conf(
    workers => 1,
    main => 'error_log %%TESTDIR%%/debug.log debug;',
    packager => 0,
    apps => <<'EOF');
application live {
    live on;
    sluice_ingest on;
}

application nobatch {
    live on;
    sluice_ingest on;
    sluice_ingest_batch 0;
}
EOF
$t->run();

my $dir = $t->testdir;
my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);

# 12 s: 6 s of noise (several Mbit/s), then 6 s of the plain test pattern
# (a few hundred kbit/s); keyframes every 2 s

my $media = "$dir/falling.flv";
my $enc = `ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=640x360:rate=30,noise=alls=60:allf=t+u:enable='lt(t,6)'" -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 -c:v libx264 -preset veryfast -crf 28 -maxrate 6M -bufsize 6M -g 60 -keyint_min 60 -sc_threshold 0 -bf 0 -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 -f flv $media 2>&1`;
ok(-s $media, 'fixture encoded') or BAIL_OUT("ffmpeg: $enc");

my $noisy = noisy_rate($media);
diag(sprintf 'first 6 s: %.0f kB/s', $noisy / 1000);
ok($noisy > 200_000, 'the noisy part is above 200 kB/s');

###############################################################################
# batched

my $tok1 = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
ok($t->create_live_event('batch1', token => $tok1), 'batch1 running');

my $before = $t->event_dirs();
my $pub = $t->publish(input => $media, url => "$rtmp/live/$tok1/s");
ok(defined $t->wait_publisher_exit($pub, 40), 'batched publisher done');
my $batched = $t->new_event_dir($before);
# the last fragments (10 s in) are written after the publisher left
ok($t->wait_track_end($batched, 10), 'batched: last fragments stored')
    or diag(explain([ $t->tracks($batched) ]));

my $log = debug_log();
my @marks = $log =~ /sluice: "s" receive low mark (\d+)/g;

ok(@marks, 'low mark set') or diag("no low mark in debug.log");

# about 100 ms of the measured rate: a generous range around it

my ($first) = grep { $_ > 0 } @marks;
ok($first && $first > $noisy * 0.1 / 3 && $first < $noisy * 0.1 * 3,
    'first low mark is about 100 ms of the bitrate')
    or diag("marks @marks, rate $noisy");

like($log, qr/sluice: "s" reads stalled, receive low mark dropped/,
    'watchdog dropped the mark when the bitrate fell');

###############################################################################
# not batched: same stream, same fragments

my $tok2 = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
ok($t->create_live_event('batch2', token => $tok2), 'batch2 running');

my $lines = () = debug_log() =~ /receive low mark/g;

$before = $t->event_dirs();
$pub = $t->publish(input => $media, url => "$rtmp/nobatch/$tok2/s");
ok(defined $t->wait_publisher_exit($pub, 40), 'unbatched publisher done');
my $unbatched = $t->new_event_dir($before);
ok($t->wait_track_end($unbatched, 10), 'unbatched: last fragments stored')
    or diag(explain([ $t->tracks($unbatched) ]));

my $after = () = debug_log() =~ /receive low mark/g;
is($after, $lines, 'no low mark with sluice_ingest_batch 0');

for my $type ('video', 'audio') {
    my $a = fragments($batched, $type);
    my $b = fragments($unbatched, $type);

    ok(@$a >= 5, "$type: fragments stored") or diag(explain($a));
    is_deeply($a, $b, "$type: same fragments (durations and sizes)");
}

my $frames = `ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 $media`;
chomp $frames;
is(count_frames($batched), $frames, 'batched: every video frame stored');

$t->stop();
$t->check_log();

done_testing();

###############################################################################

# bytes a second of the first 6 s of the file (packets' sizes)
sub noisy_rate {
    my ($file) = @_;

    my $bytes = 0;

    for (`ffprobe -v error -show_entries packet=pts_time,size -of csv=p=0 $file`) {
        my ($pts, $size) = split /,/;
        $bytes += $size if defined $size && $pts < 6;
    }

    return $bytes / 6;
}

sub debug_log {
    local $/;
    open my $fh, '<', "$dir/debug.log" or return '';
    return <$fh>;
}

# [ [duration, size], ... ] of a track's fragments in time order
sub fragments {
    my ($gen, $type) = @_;

    my $tr = $t->track($gen, $type);
    my $d = $tr->{dir} or return [];
    my @times = @{$tr->{times}};

    return [ map {
        [ ($_ < $#times ? $times[$_ + 1] - $times[$_] : 'last'),
          -s "$d/$times[$_].m4s" ]
    } 0 .. $#times ];
}

sub count_frames {
    my ($gen) = @_;

    my $tr = $t->track($gen, 'video');
    return 0 unless $tr->{dir};
    my ($n) = $t->track_frames($tr, 'v');
    return $n // '';
}
