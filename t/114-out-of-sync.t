#!/usr/bin/perl

# Out-of-sync stream events from real ffmpeg pushes: StreamEvent/
# UnalignedPresentation and StreamEvent/UnalignedKeyFrames in
# getStreamEvents (AMS 2022-11-01, checked against its OpenAPI file), and
# as the webhooks LiveEventIncomingStreamsOutOfSync and
# LiveEventIncomingVideoStreamsOutOfSync, once per episode:
#
#   sync0  two renditions with keyframes every 2 s: neither
#   sync1  video in one stream, audio in another whose timestamps are
#          20 s ahead (a second ffmpeg, -itsoffset 20), both in real
#          time: UnalignedPresentation, once
#   sync2  two renditions, keyframes every 2 s in one and every 3 s in
#          the other: UnalignedKeyFrames, once
#
# The three pushes run at once; sync0 is the control, fed as long as the
# others, so a check that raised on anything would fail it.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::OpenAPI;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg');

my $dir = $t->testdir;
my $hook_port = $t->port(9114);

$t->write_sluice_conf(http => <<'EOF');
sluice_event_webhook http://127.0.0.1:%%PORT_9114%%/hook
    events=IncomingStreamsOutOfSync,IncomingVideoStreamsOutOfSync,EncoderConnected;
EOF

###############################################################################
# the webhook's receiver: every request body, one JSON line each

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
    LocalPort => $hook_port, Listen => 16, ReuseAddr => 1)
    or die "receiver: $!";
my $recv = fork() // die "fork: $!";

if ($recv == 0) {
    open my $log, '>>', "$dir/recv.log" or POSIX::_exit(1);
    $log->autoflush(1);

    while (my $c = $srv->accept()) {
        local $/ = "\r\n\r\n";
        my $head = <$c> // next;
        my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
        my $body = '';
        while (length($body) < ($len // 0)) {
            my $n = read($c, $body, $len - length($body), length($body));
            last unless $n;
        }
        $body =~ s/\n//g;
        print $log "$body\n";
        print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
            . "Connection: close\r\n\r\n";
        close $c;
    }
    POSIX::_exit(0);
}

close $srv;
$t->on_cleanup(sub { kill 'KILL', $recv; waitpid($recv, 0) });

# the events delivered, first delivery of each id
sub delivered {
    open my $fh, '<', "$dir/recv.log" or return [];
    my (%seen, @e);
    while (<$fh>) {
        my $batch = eval { JSON::PP::decode_json($_) } or next;
        push @e, grep { !$seen{$_->{id}}++ } @$batch;
    }
    return \@e;
}

sub hooks_of {
    my ($name, $type) = @_;
    return grep { $_->{subject} eq "liveEvent/$name"
                  && $_->{eventType} eq "Microsoft.Media.LiveEvent$type" }
        @{delivered()};
}

###############################################################################

$t->run();

my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);
my %tok = (sync0 => '50000000000000000000000000000000',
           sync1 => '51111111111111111111111111111111',
           sync2 => '52222222222222222222222222222222');

for my $n (sort keys %tok) {
    ok($t->create_live_event($n, token => $tok{$n}), "$n running")
        or BAIL_OUT("no live event $n");
}

my @r1 = (duration => 16, size => '640x360', vbitrate => '800k');
my @r2 = (duration => 16, size => '480x270', vbitrate => '400k');

my $gop2a = Sluice::Ingest::fixture('av', @r1, gop => 2);
my $gop2b = Sluice::Ingest::fixture('av', @r2, gop => 2);
my $gop3 = Sluice::Ingest::fixture('av', @r2, gop => 3);
my $vonly = Sluice::Ingest::fixture('av', @r1, gop => 2, audio => 0);
my $aonly = Sluice::Ingest::fixture('av', duration => 16, video => 0);

my $p0 = $t->publish(input => [ $gop2a, $gop2b ],
    url => [ map { "$rtmp/live/$tok{sync0}/r$_" } 1, 2 ]);
# two ffmpeg processes: one would hold the audio back until the video
# caught up with its timestamps (it feeds the output furthest behind)
my $p1v = $t->publish(input => $vonly, url => "$rtmp/live/$tok{sync1}/v");
my $p1a = $t->publish(input => $aonly, input_args => [ [ '-itsoffset', 20 ] ],
    url => "$rtmp/live/$tok{sync1}/a");
my $p2 = $t->publish(input => [ $gop2a, $gop3 ],
    url => [ map { "$rtmp/live/$tok{sync2}/r$_" } 1, 2 ]);

###############################################################################
# while they push

my $pres = $t->wait_for(sub {
    my @e = of_type('sync1', 'UnalignedPresentation');
    return @e ? $e[0] : undef;
}, timeout => 30, what => 'UnalignedPresentation of sync1');
ok($pres, 'audio 20 s ahead: UnalignedPresentation')
    or diag(explain(action('sync1', 'getStreamEvents')), log_tail());

my $keys = $t->wait_for(sub {
    my @e = of_type('sync2', 'UnalignedKeyFrames');
    return @e ? $e[0] : undef;
}, timeout => 30, what => 'UnalignedKeyFrames of sync2');
ok($keys, 'keyframes every 2 s and 3 s: UnalignedKeyFrames')
    or diag(explain(action('sync2', 'getStreamEvents')), log_tail());

# UnalignedPresentation: the video's end the earliest, the audio's 20 s on

my $pd = ($pres // {})->{data} // {};
is($pres->{eventLevel}, 'Warning', 'UnalignedPresentation: Warning');
is($pd->{minTimeMediaType}, 'Video', 'minTimeMediaType Video');
is($pd->{maxTimeMediaType}, 'Audio', 'maxTimeMediaType Audio');
is($pd->{timescaleOfMinTime}, '90000', 'timescaleOfMinTime: the video\'s');
is($pd->{timescaleOfMaxTime}, '48000', 'timescaleOfMaxTime: the audio\'s');
my $apart = seconds($pd->{maxTime}, $pd->{timescaleOfMaxTime})
    - seconds($pd->{minTime}, $pd->{timescaleOfMinTime});
ok($apart > 15 && $apart < 25, "the ends ${apart} s apart (about 20)");

# UnalignedKeyFrames: two overlapping fragments not starting together

my $kd = ($keys // {})->{data} // {};
is($keys->{eventLevel}, 'Warning', 'UnalignedKeyFrames: Warning');
is($kd->{mediaType}, 'video', 'UnalignedKeyFrames: a video track');
like($kd->{trackName}, qr/^video_\d+$/, 'UnalignedKeyFrames: trackName');
is($kd->{timescale}, '90000', 'UnalignedKeyFrames: timescale');
my ($s1, $d1, $s2, $d2) = map { $kd->{$_} // 0 } qw(fragmentOneTimestamp
    fragmentOneDuration fragmentTwoTimestamp fragmentTwoDuration);
ok($d1 > 0 && $d2 > 0 && abs($s1 - $s2) >= 90000 * 0.5
    && $s1 < $s2 + $d2 && $s2 < $s1 + $d1,
    'the two fragments overlap, their starts 0.5 s or more apart')
    or diag(explain($kd));

###############################################################################
# after the pushes: once each, none for the aligned ladder

for my $p ($p0, $p1v, $p1a, $p2) {
    ok(defined $t->wait_publisher_exit($p, 60), 'a push done');
}

# every track of the control delivered its fragments, so it was checked
my $checked = $t->wait_for(sub {
    my @f = grep { $_->{eventType} eq 'StreamEvent/FirstChunkReceived' }
        @{action('sync0', 'getStreamEvents')};
    my @e = grep { $_->{eventType} eq 'StreamEvent/EndIngest' }
        @{action('sync0', 'getStreamEvents')};
    return @f == 4 && @e == 2;
}, timeout => 20, what => 'sync0: four tracks, both publishers gone');
ok($checked, 'sync0: four tracks fed to the end');

is(scalar(of_type('sync0', 'UnalignedPresentation', 'UnalignedKeyFrames')),
    0, 'aligned ladder: no out-of-sync event')
    or diag(explain(action('sync0', 'getStreamEvents')));
is(scalar(of_type('sync1', 'UnalignedPresentation')), 1,
    'UnalignedPresentation once, not per fragment');
is(scalar(of_type('sync1', 'UnalignedKeyFrames')), 0,
    'one video track: no UnalignedKeyFrames');
is(scalar(of_type('sync2', 'UnalignedKeyFrames')), 1,
    'UnalignedKeyFrames once, not per fragment');
is(scalar(of_type('sync2', 'UnalignedPresentation')), 0,
    'renditions in step: no UnalignedPresentation');

# the shape of the answer, against AMS's OpenAPI file

SKIP: {
    my $oa = Sluice::OpenAPI->new()
        or skip(Sluice::OpenAPI->why(), 2);
    for my $n (qw(sync1 sync2)) {
        my $r = $t->api(POST => "liveEvents/$n/getStreamEvents", {},
            query => 'api-version=2022-11-01');
        $oa->ok('LiveEventGetStreamEventsResult', $r,
            "$n: getStreamEvents as AMS's schema says");
    }
}

###############################################################################
# the webhooks: Event Grid, once each, none for sync0

my $hooked = $t->wait_for(sub {
    my @a = hooks_of('sync1', 'IncomingStreamsOutOfSync');
    my @b = hooks_of('sync2', 'IncomingVideoStreamsOutOfSync');
    my @c = hooks_of('sync0', 'EncoderConnected');
    return @a && @b && @c == 2 ? [ $a[0], $b[0] ] : undef;
}, timeout => 15, what => 'the out-of-sync webhooks') // [];

my ($wa, $wb) = map { ($_ // {})->{data} // {} } @$hooked;
is_deeply([ sort keys %$wa ], [ sort qw(minLastTimestamp
    typeOfStreamWithMinLastTimestamp maxLastTimestamp
    typeOfStreamWithMaxLastTimestamp timescaleOfMinLastTimestamp
    timescaleOfMaxLastTimestamp) ], 'IncomingStreamsOutOfSync: AMS\'s data');
is("$wa->{typeOfStreamWithMinLastTimestamp} $wa->{minLastTimestamp} "
    . "$wa->{timescaleOfMinLastTimestamp}",
    "Video $pd->{minTime} $pd->{timescaleOfMinTime}",
    'IncomingStreamsOutOfSync: the video\'s end, as getStreamEvents');
is("$wa->{typeOfStreamWithMaxLastTimestamp} $wa->{maxLastTimestamp} "
    . "$wa->{timescaleOfMaxLastTimestamp}",
    "Audio $pd->{maxTime} $pd->{timescaleOfMaxTime}",
    'IncomingStreamsOutOfSync: the audio\'s end, as getStreamEvents');
is_deeply($wb, { firstTimestamp => $s1, firstDuration => $d1,
    secondTimestamp => $s2, secondDuration => $d2, timescale => '90000' },
    'IncomingVideoStreamsOutOfSync: AMS\'s data, as getStreamEvents');

is(scalar(hooks_of('sync1', 'IncomingStreamsOutOfSync')), 1,
    'IncomingStreamsOutOfSync delivered once');
is(scalar(hooks_of('sync2', 'IncomingVideoStreamsOutOfSync')), 1,
    'IncomingVideoStreamsOutOfSync delivered once');
is(scalar(grep { $_->{subject} eq 'liveEvent/sync0'
                 && $_->{eventType} =~ /OutOfSync$/ } @{delivered()}), 0,
    'no out-of-sync webhook for the aligned ladder');

$t->done_testing();

###############################################################################

sub action {
    my ($name, $what) = @_;

    my $r = $t->api(POST => "liveEvents/$name/$what", {},
        query => 'api-version=2022-11-01');
    return $r->{status} == 200 && $r->{json} ? $r->{json}{value} : [];
}

# the stream events of $name of the types given
sub of_type {
    my ($name, @types) = @_;

    my %want = map { ("StreamEvent/$_" => 1) } @types;
    return grep { $want{$_->{eventType}} }
        @{action($name, 'getStreamEvents')};
}

sub seconds {
    my ($ts, $scale) = @_;
    return $scale ? ($ts // 0) / $scale : 0;
}

sub log_tail {
    my $log = $t->read_file('error.log') // '';
    return substr($log, -3000);
}
