#!/usr/bin/perl

# RTMP ingest (sluice_ingest): three renditions published at once (both
# URL styles), fragments on disk (init + fragments decode, times aligned
# across renditions, 2 s each), refusals (token, state, IP, codecs),
# reconnect (timeline continues, discontinuity), timestamp jump, event
# stopped while publishing, a third publisher of a stream, fragment ring
# eviction, two workers.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(apps => <<'EOF');
application live {
    live on;
    sluice_ingest on;
    sluice_thread_pool sluice;
}

application nolive {
    sluice_ingest on;
}

application small {
    live on;
    sluice_ingest on;
    sluice_thread_pool off;
    sluice_fragment_ring 4;
}
EOF

$t->expect_errors(qr/sluice: publish refused: /,
    qr/sluice: open\(\) "[^"]+" failed, fragment dropped/);

$t->run();

my $dir = $t->testdir;
my $port = $t->port(1935);
my $rtmp = "rtmp://127.0.0.1:$port";

###############################################################################
# three renditions, aligned keyframes

my $tok1 = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
my $ev1 = create_event('ingest1', $tok1);
ok($ev1, 'ingest1 running') or BAIL_OUT('no live event: ' . log_tail());

my @ladder = Sluice::Ingest::fixture('ladder', duration => 8, gop => 2);

my $before = $t->event_dirs();

# rendition 1 ffmpeg style (app "live", name "{token}/{stream}"), the
# others OBS style (app "live/{token}", name "{stream}")

my $pub = $t->publish(input => [@ladder],
    args => [ '-rtmp_app', 'live', '-rtmp_playpath', "$tok1/r1" ],
    url => [ "$rtmp/live", "$rtmp/live/$tok1/r2",
             "$rtmp/live/$tok1/r3?foo=bar" ]);

wait_publisher($pub, 30);

my $evdir1 = $t->new_event_dir($before);
ok($evdir1, 'event directory created') or diag(log_tail());
stored($evdir1, 6, 'ladder', tracks => 6);

my @tracks = $t->tracks($evdir1);
my @video = grep { $_->{type} eq 'video' } @tracks;
my @audio = grep { $_->{type} eq 'audio' } @tracks;

is(scalar @video, 3, 'three video tracks');
is(scalar @audio, 3, 'three audio tracks');

my @v0 = @{$video[0]{times} // []};
ok(@v0 >= 3, 'video fragments written') or diag(explain(\@tracks));

is_deeply($_->{times}, \@v0, "fragment times aligned ($_->{dir})")
    for @video[1 .. $#video];

my @d = map { $v0[$_] - $v0[$_ - 1] } 1 .. $#v0;
is_deeply(\@d, [ (180000) x @d ], 'video fragments of 2 s');

my %sizes = map { $_->{width} => 1 } @video;
is_deeply([ sort { $a <=> $b } keys %sizes ], [ 640, 960, 1280 ],
    'renditions 640, 960, 1280 wide');

for my $tr ($video[0], $audio[0]) {
    my $info = decode_track($tr);
    ok($info->{ok}, "$tr->{type}: init + fragments decode")
        or diag($info->{err});
    my $want = $tr->{type} eq 'video' ? 30 * 2 * (@{$tr->{times}} - 1) : 0;
    cmp_ok($info->{frames}, '>=', $want, "$tr->{type}: frames");
}

my $a0 = $audio[0]{times}[0] // -1;
ok(abs($a0 / 48000 - $v0[0] / 90000) < 0.1, 'audio begins with video');

###############################################################################
# refusals: one log line each, nothing stored

my $nbefore = scalar $t->tracks($evdir1);

refused("$rtmp/live/nosuchtoken/x", 'unknown access token', []);
refused("$rtmp/live/x", 'no access token', []);

my $tok2 = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
ok(create_event('ingest2', $tok2, undef, 1), 'ingest2 created, stopped');
refused("$rtmp/live/$tok2/x", 'live event is not running', []);

my $tok3 = 'ccccccccccccccccccccccccccccccc3';
ok(create_event('ingest3', $tok3,
    [ { name => 'lan', address => '10.0.0.0', subnetPrefixLength => 8 } ]),
    'ingest3 running, input from 10/8 only');
refused("$rtmp/live/$tok3/x", 'client address not allowed', []);

refused("$rtmp/live/$tok1/flv1", 'unsupported video codec',
    [ '-c:v', 'flv1', '-c:a', 'copy' ]);
refused("$rtmp/live/$tok1/mp3", 'unsupported audio codec',
    [ '-c:v', 'copy', '-c:a', 'libmp3lame', '-ar', '44100' ]);

refused("$rtmp/nolive/$tok1/nolive",
    'application "nolive" has "sluice_ingest on" without "live on"', []);

is(scalar $t->tracks($evdir1), $nbefore, 'refused streams stored nothing');

###############################################################################
# reconnect: the timeline continues after the stored end, discontinuity

my $tok4 = 'ddddddddddddddddddddddddddddddd4';
# (the event's wall clock runs from its start)
my $start4 = time;
my $loc4 = create_event('ingest4', $tok4);
ok($loc4, 'ingest4 running');

my $av = Sluice::Ingest::fixture('av', duration => 5, gop => 2);

$before = $t->event_dirs();
wait_publisher($t->publish(input => $av, url => "$rtmp/live/$tok4/s"), 20);
my $gone4 = time;
# the event's start and a first publisher slower than its 5 s (a busy
# machine) leave the wall clock ahead of the media it sent by that much
my $slow4 = $gone4 - $start4 - 5;
$slow4 = 0 if $slow4 < 0;
my $evdir4 = $t->new_event_dir($before);
stored($evdir4, 4, 'reconnect, first session');
my $waited4 = time - $gone4;

my ($v4) = grep { $_->{type} eq 'video' } $t->tracks($evdir4);
my @first = @{$v4->{times} // []};

my $marks4 = $t->live_marks();
my $back4 = time;
wait_publisher($t->publish(input => $av, url => "$rtmp/live/$tok4/s"), 20);
stored($evdir4, 4, 'reconnect, second session', since => $marks4);
# the second publisher's start-up (ffmpeg, RTMP handshake) on a busy
# machine: up to the time it took to publish its 5 s, beyond 5 s
my $late4 = time - $back4 - 5;
$late4 = 0 if $late4 < 0;

($v4) = grep { $_->{type} eq 'video' } $t->tracks($evdir4);
my @all = @{$v4->{times} // []};
my @second = @all[scalar @first .. $#all];

ok(@first >= 2 && @second >= 2, 'fragments from both sessions')
    or diag(explain(\@all));
is_deeply([ sort { $a <=> $b } @all ], \@all, 'times keep increasing');
ok(@second && $second[0] > $first[-1], 'second session after the first');
# the encoder came back once the first session was stored: the timeline
# goes on at the event's wall clock (now - its epoch), rounded up to a
# fragment boundary, or at the stored end when that is later.  The wall
# clock the worker used is in its log line; the bound on it is loose (how
# long the publishers took on a busy machine, $waited4, $late4, $slow4)
my ($in4, $tl4, $end4, $wall4) = $t->read_file('error.log')
    =~ /"s" reconnected, input (-?\d+) ms is timeline (-?\d+) ms \(stored end (\d+) ms, wall clock (-?\d+) ms\)/;
my $want4 = defined $wall4
    ? ($wall4 > $end4 ? int(($wall4 + 1999) / 2000) * 2000 : $end4) : -1;
ok(defined $tl4 && $tl4 == $want4,
    'the second session placed on the wall clock, at a fragment boundary')
    or diag("timeline $tl4, wall clock $wall4, stored end $end4");
ok(@second && abs($second[0] / 90 - $want4) <= 100,
    'its first fragment there')
    or diag(explain({ times => \@all, want => $want4 }));
ok(defined $wall4
   && $wall4 <= ($first[-1] / 90000 + 4 + $waited4 + $late4 + $slow4 + 10)
                * 1000,
    'the wall clock about the stored end plus the time away')
    or diag(explain({ times => \@all, waited => $waited4,
                      late => $late4, slow => $slow4, wall => $wall4 }));
like($t->read_file('error.log'), qr/sluice: "s" reconnected/,
    'reconnect logged');

my $m = $t->get("/$loc4/preview.ism/manifest(format=m3u8-cmaf)");
my ($media) = ($m->{body} // '') =~ m{^(QualityLevels\([^\n]*video[^\n]*)$}m;
my $pl = $media ? $t->get("/$loc4/preview.ism/$media")->{body} : '';
like($pl, qr/#EXT-X-DISCONTINUITY/, 'playlist has a discontinuity')
    or diag($m->{body});

# DASH: a new Period begins where the first session's media ends
# (presentationTimeOffset = its start), the hole at its start, its first
# fragment the first of the second session; after that the timeline is
# contiguous within each Period

my $mpd = $t->get("/$loc4/preview.ism/manifest(format=mpd-time-cmaf)");
my @periods = ($mpd->{body} // '') =~ m{(<Period\b.*?</Period>)}sg;
my (@holes, @starts);

for my $pd (@periods) {
    my ($start) = $pd =~ /<Period\b[^>]*\bstart="PT([\d.]+)S"/;
    my ($vs) = $pd =~ m{mimeType="video/mp4"(.*?)</AdaptationSet>}s;
    my ($pto) = ($vs // '') =~ /presentationTimeOffset="(\d+)"/;
    my ($vtl) = ($vs // '') =~ m{<SegmentTimeline>(.*?)</SegmentTimeline>}s;
    my ($pos, $first, $end);

    for my $s (($vtl // '') =~ /<S\b([^>]*)>/g) {
        my ($st) = $s =~ /\bt="(\d+)"/;
        my ($d) = $s =~ /\bd="(\d+)"/;
        my ($r) = $s =~ /\br="(\d+)"/;

        $first //= $st;
        push @holes, $st - $pos
            if defined $st && defined $pos && abs($st - $pos) > 0.25 * 90000;
        $pos = ($st // $pos) + $d * (1 + ($r // 0));
    }

    push @starts, [ ($start // -1) * 90000, $pto // 0, $first // -1,
                    $pos // -1 ];
}

is(scalar @periods, 2, 'DASH: a new Period after the reconnect')
    or diag($mpd->{body});
is_deeply(\@holes, [], 'no hole within a DASH Period (under 250 ms)')
    or diag($mpd->{body});
ok(@starts == 2 && abs($starts[1][0] - $starts[0][3]) < 90
   && abs($starts[1][1] - $starts[0][3]) < 90,
   'the new Period begins where the first session ends')
    or diag(explain(\@starts, \@second));
ok(@starts == 2 && @second && $starts[1][2] == $second[0]
   && $second[0] > $starts[1][1],
   'its first fragment is the discontinuity, after the hole')
    or diag(explain(\@starts, \@second));

# stopped and started again: a new generation, a new timeline from 0

ok($t->live_event_action('ingest4', 'stop', 'Stopped'), 'ingest4 stopped');
ok($t->live_event_action('ingest4', 'start', 'Running'), 'ingest4 started again');

wait_publisher($t->publish(input => $av, url => "$rtmp/live/$tok4/s"), 20);
stored(($evdir4 // '') =~ s{/1$}{/2}r, 4, 'new generation');

my ($g2) = grep { $_->{type} eq 'video' }
    $t->tracks(($evdir4 // '') =~ s{/1$}{/2}r);
is($g2->{times}[0] // -1, 0, 'new generation: timeline from 0');

###############################################################################
# a timestamp jump of 100 s in the middle of a session

my $tok5 = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeee5';
ok(create_event('ingest5', $tok5), 'ingest5 running');

my $av10 = Sluice::Ingest::fixture('av', duration => 10, gop => 2);
my $jumped = flv_jump($av10, 'jumped.flv', 5000, 100000);

$before = $t->event_dirs();
wait_publisher($t->publish(input => $jumped, realtime => 0,
    args => [ '-copyts' ], url => "$rtmp/live/$tok5/j"), 30);
my $evdir5 = $t->new_event_dir($before);
stored($evdir5, 8, 'jump');

my ($v5) = grep { $_->{type} eq 'video' } $t->tracks($evdir5);
my @t5 = @{$v5->{times} // []};

like($t->read_file('error.log'), qr/timestamp jump of 100\d\d\d ms in "j"/,
    'jump logged');
ok(@t5 >= 4 && $t5[-1] < 20 * 90000, 'timeline continues without the gap')
    or diag(explain(\@t5));
ok(decode_track($v5)->{ok}, 'fragments across the jump decode');

###############################################################################
# audio only (cut on the boundaries) and video only

my $tok12 = 'efefefefefefefefefefefefefefefef';
ok(create_event('ingest12', $tok12), 'ingest12 running');

my $aonly = Sluice::Ingest::fixture('av', duration => 9, video => 0);
my $vonly = Sluice::Ingest::fixture('av', duration => 9, audio => 0);

$before = $t->event_dirs();
my $pa = $t->publish(input => $aonly, realtime => 0,
    url => "$rtmp/live/$tok12/a");
my $pv = $t->publish(input => $vonly, realtime => 0,
    url => "$rtmp/live/$tok12/v");
wait_publisher($pa, 30);
wait_publisher($pv, 30);
my $evdir12 = $t->new_event_dir($before);
stored($evdir12, 8, 'audio only and video only');

my @t12 = $t->tracks($evdir12);
my ($ta) = grep { $_->{type} eq 'audio' } @t12;
my ($tv) = grep { $_->{type} eq 'video' } @t12;

is(scalar @t12, 2, 'one audio and one video track');

my @at = @{$ta->{times} // []};
ok(@at >= 4, 'audio-only fragments') or diag(explain(\@at));

# boundaries every 2 s: each fragment starts within one AAC frame of
# k * 96000 (48 kHz)
my @off = grep { my $r = $_ % 96000; $r > 1024 && $r < 96000 - 1024 } @at;
is(scalar @off, 0, 'audio-only cuts on the 2 s boundaries')
    or diag(explain(\@at));
ok(decode_track($ta)->{ok}, 'audio-only fragments decode');

my @vt = @{$tv->{times} // []};
ok(@vt >= 4, 'video-only fragments');
ok(decode_track($tv)->{ok}, 'video-only fragments decode');

###############################################################################
# the video configuration changes mid-stream (640x360 -> 320x180):
# a new init segment version, fragments after it decode with it

my $tok10 = 'abababababababababababababababab';
ok(create_event('ingest10', $tok10), 'ingest10 running');

my $small = Sluice::Ingest::fixture('av', duration => 6, gop => 2,
    size => '320x180');
my $spliced = flv_splice($av10, $small, 'spliced.flv', 4000);

$before = $t->event_dirs();
wait_publisher($t->publish(input => $spliced, realtime => 0,
    url => "$rtmp/live/$tok10/c"), 30);
my $evdir10 = $t->new_event_dir($before);
stored($evdir10, 8, 'configuration change');

my ($v10) = grep { $_->{type} eq 'video' } $t->tracks($evdir10);
my $vdir10 = $v10 ? $v10->{dir} : "$dir/none";

ok(-f "$vdir10/init1.mp4", 'init1.mp4 written');
like($t->read_file('error.log'),
    qr/video configuration of "c" changed \(avc1\.[0-9a-f]+\), init version 1/,
    'change logged');

my @t10 = @{$v10->{times} // []};
my ($after) = grep { $_ >= 4 * 90000 } @t10;
my $p10 = Sluice::Ingest::ffprobe_json(
    concat_files('c.mp4', "$vdir10/init1.mp4", "$vdir10/$after.m4s"))
    if defined $after;
is($p10->{streams}[0]{width} // 0, 320, 'fragment after the change: 320 wide');
my $p10a = Sluice::Ingest::ffprobe_json(
    concat_files('c0.mp4', "$vdir10/init0.mp4", "$vdir10/$t10[0].m4s"))
    if @t10;
is($p10a->{streams}[0]{width} // 0, 640, 'first fragment: 640 wide');

###############################################################################
# write errors: the track directory is replaced by a file for a while;
# fragments are dropped with one log line, the publisher stays, writes
# resume when the directory is back

my $tok11 = 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd';
ok(create_event('ingest11', $tok11), 'ingest11 running');

$before = $t->event_dirs();
my $p11 = $t->publish(input => $av, loop => 1,
    url => "$rtmp/live/$tok11/s");

my $vdir11 = $t->wait_for(sub {
    my $d = $t->new_event_dir($before) or return;
    my ($v) = grep { $_->{type} eq 'video' && @{$_->{times}} } $t->tracks($d);
    return $v ? $v->{dir} : undef;
}, 20);
ok($vdir11, 'ingest11 fragments');

$vdir11 //= "$dir/none";
rename($vdir11, "$vdir11.away");
open my $fh, '>', $vdir11 or die "$vdir11: $!";
print $fh "not a directory\n";
close $fh;

my $failed = $t->wait_for(sub {
    my @n = ($t->read_file('error.log') =~
        /sluice: open\(\) "\Q$vdir11\E\/\d+\.m4s" failed, fragment/g);
    return scalar @n;
}, 10);
# two more fragments are dropped (the audio track goes on meanwhile)
ok($t->wait_live_fragments($t->live_marks(), 2), 'ingest11 goes on');

my @failed = ($t->read_file('error.log') =~
    /sluice: open\(\) "\Q$vdir11\E\/\d+\.m4s" failed, fragment/g);
is(scalar @failed, 1, 'write failures logged once per burst');
ok($t->publisher_running($p11), 'publisher kept');

unlink($vdir11);
rename("$vdir11.away", $vdir11);
my @had = glob("$vdir11/*.m4s");

ok($t->wait_for(sub { my @now = glob("$vdir11/*.m4s"); @now > @had }, 10),
    'writes resume');

$t->stop_publisher($p11);

###############################################################################
# the event is stopped while publishing: the publisher is closed

my $tok6 = 'fffffffffffffffffffffffffffffff6';
ok(create_event('ingest6', $tok6), 'ingest6 running');

$before = $t->event_dirs();
my $p6 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok6/s");

ok($t->wait_for(sub {
    my $d = $t->new_event_dir($before) or return;
    return grep { @{$_->{times}} } $t->tracks($d);
}, 20), 'ingest6 fragments');

my $r = $t->api(POST => 'liveEvents/ingest6/stop', {});
ok($r->{status} == 200 || $r->{status} == 202, 'stop accepted')
    or diag("$r->{status} $r->{body}");

ok($t->wait_for(sub { !$t->publisher_running($p6) }, 15),
    'publisher closed');
like($t->read_file('error.log'),
    qr/live event "ingest6" is no longer running/, 'closing logged');

###############################################################################
# two events with a stream of the same name at once; a second publisher
# of a stream being fed is admitted (redundant ingest: t/098), a third is
# refused

my $tok8 = '88888888888888888888888888888888';
my $tok9 = '99999999999999999999999999999999';
ok(create_event('ingest8', $tok8), 'ingest8 running');
ok(create_event('ingest9', $tok9), 'ingest9 running');

$before = $t->event_dirs();
my $p8 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok8/stream");
my $p9 = $t->publish(input => $av, loop => 1, url => "$rtmp/live/$tok9/stream");

my @both = $t->wait_for(sub {
    my @new = grep { !$before->{$_} } glob("$dir/data/live/*");
    return unless @new == 2;
    my @n = map { scalar grep { @{$_->{times}} } $t->tracks("$_/1") } @new;
    return $n[0] == 2 && $n[1] == 2 ? @new : ();
}, 20);
ok(@both, 'both events store their stream "stream"');

my $p8b = $t->publish(input => $av, loop => 1,
    url => "$rtmp/live/$tok8/stream");
ok($t->wait_for(sub { ($t->read_file('error.log') // '')
    =~ /"stream" of live event "ingest8" has a second publisher/ }, 20),
    'a second publisher of the stream: redundant ingest');

refused("$rtmp/live/$tok8/stream", 'stream is already being published by '
    . 'two connections (primary and backup)', []);

$t->stop_publisher($_) for $p8, $p8b, $p9;

###############################################################################
# ring of 4 entries: older fragments are removed

my $tok7 = '77777777777777777777777777777777';
ok(create_event('ingest7', $tok7), 'ingest7 running');

$before = $t->event_dirs();
wait_publisher($t->publish(input => $av10, realtime => 0,
    url => "$rtmp/small/$tok7/s"), 30);
my $evdir7 = $t->new_event_dir($before);
# (the ring dropped the first fragments: count from 0)
stored($evdir7, 8, 'ring', from_zero => 1);
# the fragment the last one pushed out of the ring is removed after it
$t->wait_for(sub { !grep { @{$_->{times}} > 4 } $t->tracks($evdir7) },
    timeout => 10, what => 'the ring to drop its oldest fragment');

my @t7 = $t->tracks($evdir7);
is(scalar @t7, 2, 'ring: two tracks');
is(scalar @{$_->{times}}, 4, "ring: 4 fragments kept ($_->{type})") for @t7;
ok(decode_track($t7[0])->{ok}, 'ring: kept fragments decode');

$t->stop();

done_testing();

###############################################################################

sub create_event {
    my ($name, $tok, $allow, $nostart) = @_;

    $allow //= [ { name => 'all', address => '0.0.0.0',
                   subnetPrefixLength => 0 } ];

    my $r = $t->api(PUT => "liveEvents/$name", {
        location => 'westus',
        properties => {
            input => {
                streamingProtocol => 'RTMP',
                accessToken => $tok,
                keyFrameIntervalDuration => 'PT2S',
                accessControl => { ip => { allow => $allow } },
            },
            preview => {
                accessControl => { ip => { allow => [
                    { name => 'all', address => '0.0.0.0',
                      subnetPrefixLength => 0 } ] } },
            },
            encoding => { encodingType => 'PassthroughBasic' },
        },
    });

    unless ($r->{status} =~ /^20[012]$/) {
        diag("create $name: $r->{status} $r->{body}");
        return;
    }

    my $want = $nostart ? 'Stopped' : 'Running';

    unless ($nostart) {
        $t->wait_for(sub {
            $t->live_event_state($name) eq 'Stopped';
        }, 20);

        $r = $t->api(POST => "liveEvents/$name/start", {});
        diag("start $name: $r->{status} $r->{body}")
            unless $r->{status} =~ /^20[02]$/;
    }

    my $ok = $t->wait_for(sub { $t->live_event_state($name) eq $want }, 20);
    return unless $ok;

    my $g = $t->api(GET => "liveEvents/$name");
    return $g->{json}{properties}{preview}{previewLocator} || 1;
}

# init + all fragments decode; frames counted
sub decode_track {
    my ($tr) = @_;

    my ($frames, $e) = $t->track_frames($tr);
    return { ok => ($e eq '' && $frames), frames => $frames // 0,
             err => $e };
}

sub wait_publisher {
    my ($p, $timeout) = @_;

    $t->wait_for(sub { !$t->publisher_running($p) }, $timeout);
    $t->stop_publisher($p);
}

# after the publisher of a file left, the last fragment of each track is
# written through the thread pool: wait until every track (two unless
# told) holds it; $last is when it starts (the file's last keyframe, or
# its last 2 s boundary for audio alone), in seconds from the session's
# first fragment
sub stored {
    my ($gen, $last, $what, %o) = @_;

    ok($t->wait_track_end($gen, $last, %o,
        what => "$what: the last fragments"), "$what: last fragments stored")
        or diag(explain([ $t->tracks($gen) ]));
}

# a publisher that must be refused: connection closed, one log line
sub refused {
    my ($url, $reason, $codec) = @_;

    my $src = Sluice::Ingest::fixture('av', duration => 12, gop => 2);
    my $log = $t->read_file('error.log') // '';
    my $n0 = () = $log =~ /publish refused: \Q$reason\E/g;

    my ($o, $e) = ('', '');
    my $start = time;
    eval {
        IPC::Run::run([ 'ffmpeg', '-nostdin', '-hide_banner', '-loglevel',
            'error', '-re', '-stream_loop', '-1', '-i', $src, '-t', 40,
            (@$codec ? @$codec : ('-c', 'copy')), '-f', 'flv', $url ],
            '<', \undef, '>', \$o, '2>', \$e, IPC::Run::timeout(60));
    };

    # 40 s of media at real-time speed if it were accepted (a refusal
    # takes a second or two; ffmpeg's own start may take several on a
    # loaded machine)
    ok(time - $start < 30, "refused ($reason): closed early");

    $log = $t->read_file('error.log') // '';
    my $n1 = () = $log =~ /publish refused: \Q$reason\E/g;
    is($n1 - $n0, 1, "refused ($reason): logged once");
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

# tags of a before cut ms, then the tags of b shifted by cut ms
sub flv_splice {
    my ($a, $b, $out, $cut) = @_;

    my ($hdr, @ta) = flv_tags($a);
    my (undef, @tb) = flv_tags($b);

    my $o = $hdr;

    for my $tag (@ta) {
        $o .= $tag->[2] if $tag->[0] == 18 || $tag->[1] < $cut;
    }

    for my $tag (@tb) {
        next if $tag->[0] == 18;
        my $d = $tag->[2];
        my $ts = $tag->[1] + $cut;
        substr($d, 4, 3) = substr(pack('N', $ts), 1, 3);
        substr($d, 7, 1) = chr($ts >> 24);
        $o .= $d;
    }

    return $t->write_file($out, $o);
}

# (file header, [ type, timestamp, tag bytes with the previous size ]...)
sub flv_tags {
    my ($f) = @_;

    my $d = $t->read_file($f);
    my $hl = unpack('N', substr($d, 5, 4));
    my $p = $hl + 4;
    my @tags;

    while ($p + 15 <= length $d) {
        my $size = unpack('N', "\0" . substr($d, $p + 1, 3));
        last if $p + 15 + $size > length $d;
        my $ts = unpack('N', "\0" . substr($d, $p + 4, 3))
            | (ord(substr($d, $p + 7, 1)) << 24);
        push @tags, [ ord(substr($d, $p, 1)), $ts,
            substr($d, $p, 15 + $size) ];
        $p += 15 + $size;
    }

    return (substr($d, 0, $hl + 4), @tags);
}

sub concat_files {
    my ($name, @files) = @_;
    return $t->write_file($name,
        join('', map { $t->read_file($_) // '' } @files));
}

sub log_tail {
    my $log = $t->read_file('error.log') // '';
    my @l = split /\n/, $log;
    return join("\n", @l > 30 ? @l[-30 .. -1] : @l);
}
