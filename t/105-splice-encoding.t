#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Splice-point conditioning on a live encoding event (issue 13): with
# sluice_splice_conditioning on, the worker of the contribution feed tells
# sluice-transcoder the splice points of the feed's cues ahead of time
# (an "onSluiceSplice" script-data tag in its FLV input), the transcoder
# makes the first frame at or after each an IDR on every layer, and the
# layers' fragmenter cuts there, audio too.
#
# The suite's RTMP client publishes a 320x180 30 fps feed with GOPs of 2 s
# in real time and, 4.9 s ahead, an onAdCue (AMS simple mode) splice out
# of 2 s at 10.9 s of the timeline: mid-GOP.  Every video layer (of a
# small ladder, one of them at a frame step of 2) and the audio layer
# have a fragment starting at 10.9 s and at its end, 12.9 s (within one
# frame); ffprobe finds an IDR (key_frame 1, pict_type I) first in that
# fragment of every video layer, at the same time; the GOP boundaries
# stay.  Then nginx again with conditioning off: the same feed and cue,
# no such cut in any layer, the transcoder not told.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time sleep);
use IPC::Run ();
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;
use Sluice::Ingest qw(fixture);

my $t = Test::Sluice->new();
$t->exclusive('encode');   # the machine's cores for its encoders
$t->has_program('ffmpeg', 'ffprobe');

my $xc = $ENV{SLUICE_TRANSCODER}
    // "$FindBin::Bin/../build/transcoder/sluice-transcoder";
BAIL_OUT("no $xc: run ./build.sh build") unless -x $xc;

# the publisher's timestamps are the timeline's (the first publisher of
# the event); the transcoder's GOPs start at every 2 s of the timeline

my $BASE = 5000;            # ms: the publisher's first timestamp
my $OUT = 5900;             # the splice out, ms after BASE: 10.9 s, mid-GOP
my $END = 7900;             # its end (a duration of 2 s): 12.9 s

conf('on');
$t->run();

my $av = fixture('av', duration => 12, gop => 2, size => '320x180',
    vbitrate => '300k', abitrate => '64k');
my @tags = grep { $_->{type} == 8 || $_->{type} == 9 }
    Sluice::RTMP::flv_tags($av);
my @keys = map { $_->{ts} }
    grep { $_->{type} == 9 && (ord($_->{data}) >> 4) == 1
           && ord(substr($_->{data}, 1, 1)) == 1 } @tags;
is(join(',', @keys), '0,2000,4000,6000,8000,10000',
    'the feed: IDRs every 2 s only');

###############################################################################
# conditioning on

my %on = encode('spliceon', 'o' x 32);

for my $v (grep { $_->{type} eq 'video' } values %on) {
    my $w = $v->{width};
    my $cut = near($v->{times}, 90000, at($OUT), 34);
    ok(defined $cut, "layer ${w}px: a fragment starts at the splice out")
        or diag(times_ms($v));
    ok(defined near($v->{times}, 90000, at($END), 34),
        "layer ${w}px: and at its end");
    ok(defined near($v->{times}, 90000, 12000, 1)
        && defined near($v->{times}, 90000, 14000, 1),
        "layer ${w}px: the GOP boundaries stay");

    my $f = first_frame($v, $cut);
    ok($f->{key_frame} && ($f->{pict_type} // '') eq 'I',
        "layer ${w}px: an IDR there") or diag(explain($f));
    $v->{cut} = $cut;
}

my @vcuts = map { $_->{cut} // -1 } grep { $_->{type} eq 'video' }
    values %on;
ok(@vcuts >= 2 && !grep({ $_ != $vcuts[0] } @vcuts),
    'at the same time in every video layer') or diag("@vcuts");

my ($aon) = grep { $_->{type} eq 'audio' } values %on;
ok(defined near($aon->{times}, 48000, at($OUT), 25)
    && defined near($aon->{times}, 48000, at($END), 25),
    'the audio layer cut there too') or diag(times_ms($aon));

my $log = $t->read_file('error.log') // '';
my $told = qr/splice point at ${\ at($OUT)} ms: an IDR on every layer/;
like($log, $told, 'the transcoder was told');
my $cut = 'stream "sluice-v0" cut at its keyframe \d+ ms, the splice'
    . " point at ${\ at($OUT)} ms";
like($log, qr/$cut/, 'the cut logged');

###############################################################################
# conditioning off: the same feed, no cut at the splice points

$t->stop();
conf('off');
$t->run();
my $off = $t->log_offset();

my %off = encode('spliceoff', 'f' x 32);

for my $tr (sort { $a->{dir} cmp $b->{dir} } values %off) {
    my $scale = $tr->{type} eq 'audio' ? 48000 : 90000;
    ok(!defined near($tr->{times}, $scale, at($OUT), 100)
        && !defined near($tr->{times}, $scale, at($END), 100),
        "off: $tr->{type} $tr->{width} not cut at the splice points")
        or diag(times_ms($tr));
}
unlike(substr($t->read_file('error.log') // '', $off), $told,
    'off: the transcoder is not told');

done_testing();

###############################################################################

sub at { $BASE + $_[0] }

sub conf {
    my ($on) = @_;

    $t->write_sluice_conf(
        http => "sluice_transition_time 0s;\n"
            . "sluice_splice_conditioning $on;\n"
            . "sluice_transcoder $xc;\n"
            . "sluice_ladder Splice {\n"
            . "    video 320x180 250k main fps=15;\n"
            . "    video 160x90 100k baseline;\n"
            . "    audio 96k;\n"
            . "}\n");
}

# a live encoding event fed the fixture with the splice out; its layers'
# stored tracks once they reach 10 s
sub encode {
    my ($name, $token) = @_;

    my $before = $t->event_dirs();
    ok($t->create_live_event($name, token => $token, timeout => 30,
        input => { keyFrameIntervalDuration => '' },
        properties => { encoding => { encodingType => 'Standard',
        presetName => 'Splice' } }), "$name: live encoding event running")
        or BAIL_OUT("live event $name");

    my $cue = [ 18, at(1000), Sluice::RTMP::amf0_encode('onAdCue',
        { type => 'SpliceOut', id => 'brk', duration => \2,
          time => \(at($OUT) / 1000) }) ];

    ok(publish([ sort { $a->[1] <=> $b->[1] } $cue,
        map { [ $_->{type}, at($_->{ts}), $_->{data} ] } @tags ], $token),
        "$name: published with a splice out 4.9 s ahead");

    my $gen = $t->wait_for(sub { $t->new_event_dir($before) }, 20);
    my $tr = $t->wait_track_end($gen, 8, tracks => 3, timeout => 60);
    ok($tr, "$name: two video layers and one audio layer stored")
        or BAIL_OUT("no layers");

    return map { $_->{dir} => $_ } @$tr;
}

sub publish {
    my ($list, $tok) = @_;

    my $ok = eval {
        my $p = Sluice::RTMP->new(port => $t->port(1935),
            app => "live/$tok");
        $p->publish('cam');
        my $start = time;

        for my $e (@$list) {
            my ($type, $ts, $data) = @$e;
            my $wait = $start + ($ts - $BASE) / 1000 - time;

            sleep $wait if $wait > 0;
            $p->message($type, $ts, $data)
                or die "connection closed at $ts ms\n";
            $p->poll();
            die "connection closed at $ts ms\n" if $p->closed();
        }

        $p->close();
        1;
    };

    diag("publisher: $@") unless $ok;
    return $ok;
}

# the fragment time (track timescale) within tol ms of ms, or undef
sub near {
    my ($times, $scale, $ms, $tol) = @_;

    my ($f) = grep { abs($_ * 1000 / $scale - $ms) <= $tol } @$times;
    return $f;
}

sub times_ms {
    my ($tr) = @_;
    my $scale = $tr->{type} eq 'audio' ? 48000 : 90000;
    return "$tr->{type} $tr->{width}: "
        . join(',', map { int($_ * 1000 / $scale) } @{$tr->{times}});
}

# the first frame of a stored fragment: key_frame, pict_type
sub first_frame {
    my ($tr, $time) = @_;

    return {} unless defined $time;

    my $file = $t->testdir . "/frag-$tr->{width}.mp4";
    open my $o, '>:raw', $file or die "$file: $!";
    print {$o} $t->read_file("$tr->{dir}/init0.mp4") // '',
        $t->read_file("$tr->{dir}/$time.m4s") // '';
    close $o;

    my ($out, $err) = ('', '');
    IPC::Run::run([ 'ffprobe', '-v', 'error', '-select_streams', 'v',
        '-show_frames', '-read_intervals', '%+#1', '-show_entries',
        'frame=key_frame,pict_type,pts_time', '-of', 'json', $file ],
        '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(30));

    my $j = eval { JSON::PP::decode_json($out) } // {};
    return $j->{frames}[0] // { error => $err };
}
