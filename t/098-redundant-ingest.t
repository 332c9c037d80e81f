#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Redundant ingest (issue 12), as AMS asked it of encoders: the same,
# timestamp-aligned stream pushed to the primary and the backup ingest
# URL at once; one timeline per stream, each fragment taken from the
# connection that delivers it first, nothing lost when one of them dies:
#
#  - the API lists the primary and backup URLs of RTMP and RTMPS (the
#    four entries of AMS, in the order of sluice_ingest_url);
#  - RTMP: one ffmpeg, -f tee to the primary (1935) and the backup
#    (1936) URL, each leg through a small TCP relay of this test, the
#    backup's 300 ms late; the primary's relay is killed mid-stream: the
#    backup's connection goes on with the next fragment, the stored
#    track and the HLS media playlist have no gap (fragment times follow
#    one another, no EXT-X-DISCONTINUITY, PROGRAM-DATE-TIME and EXTINF
#    agree), the joined fragments decode with continuous timestamps;
#    duplicates were dropped (logged), fragments of both connections
#    were taken;
#  - Smooth (FragmentedMP4): the same with -f tee of two ismv outputs
#    to the two ingest.isml URLs.

use strict;
use warnings;

use Test::More;
use IO::Select;
use IO::Socket::INET;
use IPC::Run ();
use POSIX ();
use Time::HiRes qw(time sleep);
use Time::Local qw(timegm);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

my $ingest = <<'EOF';
location ~* /ingest\.isml {
    sluice_fmp4_ingest;
    client_body_timeout 10s;
}
EOF

$t->write_sluice_conf(
    rtmp => 'listen 127.0.0.1:%%PORT_1936%%;',
    http => "sluice_ingest_url rtmp://127.0.0.1:%%PORT_1936%%;\n"
        . "sluice_ingest_url rtmps://127.0.0.1:%%PORT_2935%%;\n"
        . "sluice_ingest_url rtmps://127.0.0.1:%%PORT_2936%%;\n"
        . "sluice_ingest_url http://127.0.0.1:%%PORT_8080%%;\n"
        . "sluice_ingest_url http://127.0.0.1:%%PORT_8081%%;",
    server => $ingest,
    servers => "server {\n    listen 127.0.0.1:%%PORT_8081%%;\n"
        . $ingest . "}\n");

$t->run();

my @relays;
$t->on_cleanup(sub { kill 'KILL', $_ for @relays; waitpid($_, 0) for @relays });

my $http = 'http://127.0.0.1:' . $t->port(8080);

###############################################################################
# the API: primary and backup URLs, as AMS listed them

my $tok1 = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
my $ev1 = $t->create_live_event('red1', token => $tok1);
ok($ev1, 'RTMP event running') or BAIL_OUT($t->read_file('error.log'));

my $h = '127.0.0.1';
is_deeply($ev1->{properties}{input}{endpoints}, [
    map { { protocol => 'RTMP', url => "$_/live/$tok1" } }
        "rtmp://$h:" . $t->port(1935), "rtmp://$h:" . $t->port(1936),
        "rtmps://$h:" . $t->port(2935), "rtmps://$h:" . $t->port(2936) ],
    'RTMP endpoints: primary and backup, rtmp and rtmps');

###############################################################################
# RTMP: one encoder, two connections; the primary's dies mid-stream

my $rp = relay($t->port(1935), 0);
my $rb = relay($t->port(1936), 0.3);

my $before = $t->event_dirs();
my $log0 = length($t->read_file('error.log') // '');

my $enc = encode(30, '-map', '0:v', '-map', '1:a', '-f', 'tee',
    "[f=flv:onfail=ignore]rtmp://$h:$rp->{port}/live/$tok1/s"
    . "|[f=flv:onfail=ignore]rtmp://$h:$rb->{port}/live/$tok1/s");

my $gen = $t->wait_for(sub { $t->new_event_dir($before) }, timeout => 30,
    what => 'the event directory');
ok($t->wait_for(sub {
    my $v = $gen && $t->track($gen, 'video');
    return $v && @{$v->{times}} >= 5;
}, timeout => 40, what => '5 video fragments'), 'RTMP: 5 fragments stored');

ok(log_since($log0) =~ /"s" of live event "red1" has a second publisher/,
    'RTMP: the second connection is admitted as redundant');

kill_relay($rp);

ok(defined wait_encoder($enc, 60), 'RTMP: the encoder ends on its backup');
ok($t->wait_track_end($gen, 26, timeout => 20), 'RTMP: last fragments stored');

my $log = log_since($log0);

like($log, qr/"s" joins the stream's other connection \(redundant ingest\)/,
    'RTMP: the second connection shares the timeline');
my @dup = $log =~ /fragment \d+ of "s" is a duplicate, dropped/g;
cmp_ok(scalar @dup, '>=', 4, 'RTMP: duplicates dropped (logged)');
like($log, qr/"s" goes on with its other connection/,
    'RTMP: the primary leaves, its fragment in progress left to the backup');
like($log, qr/video fragment \d+ of "s" is taken from this connection/,
    'RTMP: the backup connection delivers after the primary died');

continuous($gen, 'RTMP');
playlist_continuous($ev1, 'RTMP');

###############################################################################
# FragmentedMP4 (Smooth): -f tee of two ismv outputs

my $tok2 = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
my $ev2 = $t->create_live_event('red2', token => $tok2,
    input => { streamingProtocol => 'FragmentedMP4' });
ok($ev2, 'FragmentedMP4 event running');

is_deeply($ev2->{properties}{input}{endpoints}, [
    map { { protocol => 'FragmentedMP4', url => "$_/$tok2/ingest.isml" } }
        $http, "http://$h:" . $t->port(8081) ],
    'FragmentedMP4 endpoints: primary and backup');

$rp = relay($t->port(8080), 0);
$rb = relay($t->port(8081), 0.3);

$before = $t->event_dirs();
$log0 = length($t->read_file('error.log') // '');

my $ismv = 'f=ismv:movflags=isml+frag_keyframe+delay_moov:onfail=ignore';
$enc = encode(30, '-map', '0:v', '-map', '1:a', '-f', 'tee',
    "[$ismv]http://$h:$rp->{port}/$tok2/ingest.isml/Streams(s)"
    . "|[$ismv]http://$h:$rb->{port}/$tok2/ingest.isml/Streams(s)");

$gen = $t->wait_for(sub { $t->new_event_dir($before) }, timeout => 30,
    what => 'the event directory');
ok($t->wait_for(sub {
    my $v = $gen && $t->track($gen, 'video');
    return $v && @{$v->{times}} >= 5;
}, timeout => 40, what => '5 video fragments'), 'Smooth: 5 fragments stored');

kill_relay($rp);

ok(defined wait_encoder($enc, 60), 'Smooth: the encoder ends on its backup');
ok($t->wait_track_end($gen, 26, timeout => 20), 'Smooth: last fragments stored');

$log = log_since($log0);

like($log, qr/"s" of live event "red2" has a second publisher/,
    'Smooth: the second connection is admitted as redundant');
@dup = $log =~ /fragment \d+ of "s" is a duplicate, dropped/g;
cmp_ok(scalar @dup, '>=', 4, 'Smooth: duplicates dropped (logged)');
like($log, qr/video fragment \d+ of "s" is taken from this connection/,
    'Smooth: the backup connection delivers after the primary died');

continuous($gen, 'Smooth');
playlist_continuous($ev2, 'Smooth');

my $sm = $t->get('/' . $ev2->{properties}{preview}{previewLocator}
    . '/preview.ism/manifest')->{body} // '';
my ($v) = $sm =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s;
my @c = ($v // '') =~ /<c\b([^>]*)>/g;
cmp_ok(scalar @c, '>=', 12, 'Smooth manifest: the fragments');
ok(!grep({ /\bt="/ } @c[1 .. $#c]), 'Smooth manifest: no restated t (no gap)')
    or diag($v);

$t->stop();

done_testing();

###############################################################################

# ffmpeg encoding a test pattern and a tone for $seconds, real time
sub encode {
    my ($seconds, @out) = @_;

    my @cmd = ('ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error',
        '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-t', $seconds, '-c:v', 'libx264', '-preset', 'veryfast',
        '-g', 60, '-keyint_min', 60, '-sc_threshold', 0, '-b:v', '800k',
        '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-ac', 2,
        '-flags', '+global_header', @out);

    my $out = '';
    my $run = IPC::Run::start(\@cmd, '<', \undef, '>&', \$out,
        IPC::Run::timeout($seconds + 90));
    return { run => $run, out => \$out };
}

sub wait_encoder {
    my ($e, $timeout) = @_;

    my $ok = $t->wait_for(sub {
        eval { $e->{run}->pump_nb };
        return !$e->{run}->pumpable;
    }, timeout => $timeout, what => 'the encoder to end');
    my $rc = eval { $e->{run}->finish; $? };
    diag("ffmpeg: ${$e->{out}}") if ${$e->{out}} =~ /\S/ && !$ok;
    return $ok ? $rc : undef;
}

# a TCP relay to 127.0.0.1:$to in a child process; what the client sends
# goes on $delay s later
sub relay {
    my ($to, $delay) = @_;

    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
        Listen => 8, ReuseAddr => 1) or die "relay: $!";
    my $port = $l->sockport();

    my $pid = fork() // die "fork: $!";

    if ($pid) {
        close $l;
        push @relays, $pid;
        return { pid => $pid, port => $port };
    }

    my $sel = IO::Select->new($l);
    my (%peer, %late, %queue, %sock);

    while (1) {
        my $now = time;

        for my $k (keys %queue) {
            my $q = $queue{$k} or next;
            while (@$q && $q->[0][0] <= $now) {
                my $d = shift(@$q)->[1];
                my $p = $sock{$peer{$k}} or last;

                if (!defined $d) {
                    # the end, once what came before it went on
                    for my $x ($sock{$k}, $p) {
                        next unless $x;
                        $sel->remove($x);
                        delete $queue{"$x"};
                        delete $sock{"$x"};
                        close $x;
                    }
                    last;
                }

                while (length $d) {
                    my $n = syswrite($p, $d);
                    POSIX::_exit(1) unless defined $n;
                    substr($d, 0, $n, '');
                }
            }
        }

        for my $s ($sel->can_read(0.01)) {
            if ($s == $l) {
                my $c = $l->accept() or next;
                my $u = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                    PeerPort => $to) or next;
                $sock{"$c"} = $c;
                $sock{"$u"} = $u;
                $peer{"$c"} = "$u";
                $peer{"$u"} = "$c";
                $late{"$c"} = $delay;
                $late{"$u"} = 0;
                $queue{"$c"} = [];
                $queue{"$u"} = [];
                $sel->add($c, $u);
                next;
            }

            my $n = sysread($s, my $buf, 65536);

            if (!$n) {
                # one side closed: both are, once the other has its data
                $sel->remove($s);
            }

            push @{$queue{"$s"}}, [ time + $late{"$s"}, $n ? $buf : undef ];
        }
    }
}

sub kill_relay {
    my ($r) = @_;

    kill 'KILL', $r->{pid};
    waitpid($r->{pid}, 0);
    @relays = grep { $_ != $r->{pid} } @relays;
}

sub log_since {
    my ($from) = @_;

    my $log = $t->read_file('error.log') // '';
    return substr($log, $from);
}

# the stored fragments of every track follow one another, and decode into
# continuous timestamps
sub continuous {
    my ($gen, $name) = @_;

    for my $tr ($t->tracks($gen)) {
        my @times = @{$tr->{times}};
        my $scale = $tr->{type} eq 'video' ? 90000 : 48000;

        my ($ok, $why) = (1, '');
        my @ends;

        for my $time (@times) {
            my $d = fragment_duration("$tr->{dir}/$time.m4s", $scale);
            push @ends, $time + $d;
        }

        for my $i (1 .. $#times) {
            next if $times[$i] == $ends[$i - 1];
            $ok = 0;
            $why .= "fragment $times[$i] after one ending at $ends[$i - 1]\n";
        }

        ok($ok && @times >= 13, "$name: $tr->{type} fragments follow one "
            . 'another (' . scalar(@times) . ')') or diag($why);

        # the joined fragments: their timestamps have no hole
        my $file = "$tr->{dir}/joined.mp4";
        open my $o, '>:raw', $file or die "$file: $!";
        for my $f ('init0.mp4', map { "$_.m4s" } @times) {
            print $o $t->read_file("$tr->{dir}/$f");
        }
        close $o;

        my $st = $tr->{type} eq 'video' ? 'v' : 'a';
        my ($out, $err) = ('', '');
        IPC::Run::run(['ffprobe', '-v', 'error', '-select_streams', "$st:0",
            '-show_entries', 'packet=pts', '-of', 'csv=p=0', $file],
            '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(60));

        my @p = sort { $a->[0] <=> $b->[0] }
            map { [ (split /,/)[0] ] } grep { /^\d/ } split /\n/, $out;
        # a hole: a step of more than 1.5 times the usual one
        my @steps = sort { $a <=> $b }
            map { $p[$_][0] - $p[$_ - 1][0] } 1 .. $#p;
        my $usual = @steps ? $steps[@steps / 2] : 1;
        my ($holes, @at) = (0);
        for my $i (1 .. $#p) {
            next unless $p[$i][0] - $p[$i - 1][0] > 1.5 * $usual;
            $holes++;
            push @at, "$p[$i - 1][0] -> $p[$i][0]";
        }
        my $span = @p ? ($p[-1][0] - $p[0][0]) / ($tr->{type} eq 'video'
            ? 90000 : 48000) : 0;
        ok(!$holes && $span > 25 && $err !~ /\S/,
            "$name: $tr->{type} decodes, ${span}s without a hole")
            or diag("holes $holes (@at), $err, times @times");
    }
}

# a fragment's duration: the sum of its trun sample durations (or the
# tfhd/trex default)
sub fragment_duration {
    my ($file) = @_;

    my $d = $t->read_file($file) // return 0;
    my $i = index($d, 'trun');
    return 0 if $i < 4;

    my $flags = unpack('N', substr($d, $i + 4, 4)) & 0xffffff;
    my $n = unpack('N', substr($d, $i + 8, 4));
    my $p = $i + 12;
    $p += 4 if $flags & 0x1;
    $p += 4 if $flags & 0x4;

    my $sum = 0;
    for (1 .. $n) {
        if ($flags & 0x100) {
            $sum += unpack('N', substr($d, $p, 4));
        }
        $p += 4 for grep { $flags & $_ } 0x100, 0x200, 0x400, 0x800;
    }

    if (!($flags & 0x100)) {
        my $j = index($d, 'tfhd');
        my $tf = unpack('N', substr($d, $j + 4, 4)) & 0xffffff;
        my $q = $j + 12;
        $q += 8 if $tf & 0x1;
        $q += 4 if $tf & 0x2;
        $sum = $n * unpack('N', substr($d, $q, 4)) if $tf & 0x8;
    }

    return $sum;
}

# the video media playlist of the preview: no discontinuity, program
# date times following the durations
sub playlist_continuous {
    my ($ev, $name) = @_;

    my $base = '/' . $ev->{properties}{preview}{previewLocator}
        . '/preview.ism';
    my $mr = $t->get("$base/manifest(format=m3u8-aapl)");
    my ($media) = ($mr->{body} // '')
        =~ m{^(QualityLevels\([^\n]*video[^\n]*)$}m;
    my $pl = $media ? $t->get("$base/$media")->{body} // '' : '';

    my @dur = $pl =~ /^#EXTINF:([\d.]+)/mg;
    my @pdt = map { iso_time($_) } $pl =~ /^#EXT-X-PROGRAM-DATE-TIME:(.*)$/mg;

    cmp_ok(scalar @dur, '>=', 13, "$name: HLS media playlist") or diag($pl);
    ok($pl !~ /^#EXT-X-DISCONTINUITY$/m, "$name: no EXT-X-DISCONTINUITY")
        or diag($pl);

    my $bad = 0;
    for my $i (1 .. $#pdt) {
        $bad++ if abs($pdt[$i] - $pdt[$i - 1] - $dur[$i - 1]) > 0.002;
    }
    ok(@pdt < 2 || !$bad, "$name: PROGRAM-DATE-TIME follows the durations")
        or diag($pl);

    # each segment starts where the one before ends (PROGRAM-DATE-TIME is
    # given once: the times in the URLs tell)
    my @st = $pl =~ /^Fragments\(video=(\d+),/mg;
    my @gap = grep { abs($st[$_] - $st[$_ - 1] - 90000 * $dur[$_ - 1]) > 180 }
        1 .. $#st;
    ok(@st == @dur && !@gap, "$name: segments follow one another")
        or diag("gaps before segments @gap\n$pl");

    my @long = grep { $_ > 2.1 } @dur[0 .. $#dur - 1];
    ok(!@long, "$name: every segment 2 s (the last aside)") or diag($pl);
}

sub iso_time {
    my ($s) = @_;
    my ($y, $mo, $d, $h, $mi, $sec) =
        $s =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):([\d.]+)/ or return 0;
    return timegm(0, $mi, $h, $d, $mo - 1, $y) + $sec;
}
