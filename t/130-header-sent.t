#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# "[alert] header already sent" (issue 16, seen once on a request of a
# QualityLevels(...)/Fragments(...) URL): a response must never be asked
# for once the headers of another went out.
#
#  - Smooth fragments (aio threads): a fragment listed by the manifest
#    whose file is gone answers a plain 404, HEAD and Range answer as
#    for any file, the error log stays clean;
#  - the one path found that answered twice: an LL-DASH segment in
#    progress (mpd-time-cmaf, the same QualityLevels/Fragments URL form)
#    of a streaming locator, its headers sent, its request parked
#    between parts.  Its fragment is completed and recorded into the
#    asset, then the live output is deleted before the request runs
#    again (the worker holding it is stopped meanwhile: in production a
#    wake-up that comes late).  The run found no live output, read the
#    fragment from the asset and sent it as a new response: nginx logged
#    "header already sent".  Now the connection ends (the segment cut
#    short, as for any segment in progress that cannot go on) with an
#    info line, no alert.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new()->has_program('ffmpeg');

$t->write_sluice_conf(
    workers => 2,
    listen => ' reuseport',
    http => 'sluice_transition_time 0s;',
    server => 'server_name localhost;',
    location => <<'EOF');
aio threads=sluice;
add_header X-Sluice-Worker $pid always;
EOF
$t->run();

my $TOKEN = 'c0ffee' x 5 . '13';

ok(Sluice::Playback::start_endpoint($t, 'default'), 'default endpoint runs');

# 2 s fragments: a request parked between parts has a deadline of three
# fragment durations (6 s), ample for what follows while its worker is
# stopped
my $ev = $t->create_live_event('hs', token => $TOKEN, timeout => 30,
    input => { keyFrameIntervalDuration => 'PT2S' },
    properties => { encoding => { encodingType => 'PassthroughBasic' },
                    streamOptions => ['LowLatencyV2'] });
ok($ev, 'LowLatencyV2 live event running') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'hs', 'o1', 'a1', 'loc1',
    manifestName => 'show');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
ok($smooth, 'the locator\'s Smooth path') or BAIL_OUT('no paths');
(my $lbase = $smooth) =~ s{/manifest$}{};
my $pbase = "/$ev->{properties}{preview}{previewLocator}/preview.ism";

my $before = $t->event_dirs();
$t->publish(lavfi => { duration => 0, gop => 2, fps => 30,
    size => '320x180', vbitrate => '300k', abitrate => '64k' },
    path => "live/$TOKEN/stream");
my $gen = $t->wait_for(sub { $t->new_event_dir($before) },
    timeout => 20, what => 'the event directory');

ok($t->wait_for(sub {
    my @f = smooth_first($t->get("$pbase/manifest")->{body}, 3);
    return scalar @f;
}, timeout => 30, interval => 0.3, what => '3 Smooth fragments'),
    'Smooth manifest with 3 fragments') or BAIL_OUT('no media');

my ($ingest_pid) = $t->error_log()
    =~ /(\d+)#\d+: \*\d+ sluice: "stream" publishing to live event "hs"/;
ok($ingest_pid, 'the ingest worker: ' . ($ingest_pid // '-'));

###############################################################################
# 1. Smooth fragments: HEAD, Range, a listed fragment whose file is gone

{
    my $m = $t->get("$pbase/manifest")->{body};
    my ($bitrate, $first) = smooth_first($m, 1);
    my $frag = "$pbase/QualityLevels($bitrate)/Fragments(video=$first)";

    my $r = $t->get($frag);
    is($r->{status}, 200, 'Smooth fragment: 200');
    my $len = length $r->{body};

    $r = $t->head($frag);
    ok($r->{status} == 200 && $r->{body} eq ''
       && ($r->{headers}{'content-length'} // 0) == $len,
       "Smooth fragment: HEAD 200, its length ($len), no body");

    $r = $t->get($frag, headers => { Range => 'bytes=8-107' });
    is($r->{status} . ' ' . length($r->{body}), '206 100',
       'Smooth fragment: Range 206, 100 bytes');

    $r = $t->get($frag, headers => { Range => "bytes=$len-" });
    is($r->{status}, 416, 'Smooth fragment: Range past the end 416');

    # its stored file: the first fragment of the DASH timeline (the same
    # fragment in the track's timescale, the name of its file)
    my $mpd = $t->get("$pbase/manifest(format=mpd-time-cmaf)")->{body};
    my ($s) = dash_video($mpd);
    my $dir = $t->track($gen, 'video')->{dir} // '';
    my $file = "$dir/$s->[0][0].m4s";
    ok(-f $file && unlink($file), "its file removed ($s->[0][0].m4s)");

    $r = $t->get($frag);
    is($r->{status}, 404, 'Smooth fragment whose file is gone: 404');
    $r = $t->head($frag);
    is($r->{status}, 404, 'and HEAD: 404');
}

###############################################################################
# 2. an LL-DASH segment in progress of the locator, its live output deleted

my $vpath;
ok($t->wait_for(sub {
    my $m = $t->get("$lbase/manifest(format=mpd-time-cmaf)")->{body};
    my ($s, $bw) = dash_video($m);
    return 0 unless $bw && @$s >= 2 && $m =~ /availabilityTimeComplete/;
    $vpath = "$lbase/QualityLevels($bw)";
    return 1;
}, timeout => 30, interval => 0.3, what => 'the locator\'s LL-DASH MPD'),
    'the locator\'s LL-DASH MPD: a segment in progress')
    or BAIL_OUT('no LL-DASH MPD');

# the segment in progress, answered by a worker that is not the ingest's
# (reuseport: another connection may land on the other worker)

my ($sock, $head, $time, $worker);

# (on a loaded machine the segment may be complete before it is asked
# for: try again, until a deadline)
for (my $until = time + 30; time < $until; select(undef, undef, undef, 0.1)) {
    my $m = $t->get("$lbase/manifest(format=mpd-time-cmaf)")->{body};
    my ($s) = dash_video($m);
    next unless @$s;
    $time = $s->[-1][0];

    $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port(8080),
        Timeout => 5) or next;
    print $sock "GET $vpath/Fragments(video=$time,format=mpd-time-cmaf)"
        . " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    $head = read_head($sock, 3);
    ($worker) = ($head // '') =~ /^X-Sluice-Worker: (\d+)\r$/mi;

    last if ($head // '') =~ m{^HTTP/1\.1 200 }
            && $head =~ /^Transfer-Encoding: chunked\r$/mi
            && $worker && $worker ne ($ingest_pid // '');

    close $sock;
    undef $sock;
}

ok($sock, "segment in progress ($time) streamed by worker "
    . ($worker // '-') . ', the ingest on ' . ($ingest_pid // '-'))
    or do {
        # not BAIL_OUT: that would stop the other suites of the run
        diag("no segment in progress on the other worker: "
             . ($head // 'no answer'));
        done_testing();
        exit;
    };

my $from = $t->log_offset();

# its worker stopped: the request stays parked there, whatever comes
ok(kill('STOP', $worker), "worker $worker stopped");
my $stopped = time;
$t->on_cleanup(sub { kill 'CONT', $worker });

# the fragment completed and recorded into the asset (its file linked,
# its index record appended)
my $recorded = $t->wait_for(sub { recorded($t, $time) }, timeout => 4,
    interval => 0.05, what => "fragment $time recorded into the asset");
ok($recorded, "fragment $time recorded into the asset");

# the live output deleted (through the running worker: a request that
# lands on the stopped one waits, and is tried again elsewhere)
my $del = api_running($t, DELETE => 'liveEvents/hs/liveOutputs/o1');
like($del->{status}, qr/^20[024]$/, "live output deleted ($del->{status})");
ok($t->wait_for(sub {
    api_running($t, GET => 'liveEvents/hs/liveOutputs/o1')->{status} == 404
}, timeout => 3, interval => 0.05), 'live output gone');

my $held = time - $stopped;
ok(kill('CONT', $worker), sprintf('worker %d resumed after %.2f s '
    . '(the parked request\'s deadline: 6 s)', $worker, $held));

# the request runs again: the connection ends, the segment cut short
my $body = read_to_eof($sock, 8);
ok(defined $body, 'the connection ends');
unlike($body // '', qr/\r\n0\r\n\r\n\z/, 'the segment is cut short '
    . '(no last chunk): no cache keeps it');
close $sock;

ok($t->wait_log(qr/segment in progress ended: no longer in progress/,
    from => $from, timeout => 3),
    'info: segment in progress ended, no longer in progress');
unlike(substr($t->error_log(), $from), qr/header already sent/,
    'no "header already sent"');

$t->stop_publishers();
$t->done_testing();

###############################################################################
# helpers

# the bitrate of the first video QualityLevel and the time of the first
# video fragment of a Smooth manifest, once it lists $n fragments
sub smooth_first {
    my ($m, $n) = @_;

    my ($si) = ($m // '')
        =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}s
        or return;
    my ($bitrate) = $si =~ /<QualityLevel\b[^>]*Bitrate="(\d+)"/;
    my @c = $si =~ /<c\b([^>]*)>/g;
    my ($first) = ($c[0] // '') =~ /\bt="(\d+)"/;
    my $count = 0;
    for (@c) { $count += (/\br="(\d+)"/ ? $1 : 1) }

    return unless defined $bitrate && defined $first && $count >= $n;
    return ($bitrate, $first);
}

# [time, duration] of the video segments of an MPD, and the bandwidth of
# its first video Representation
sub dash_video {
    my ($m) = @_;

    my ($set) = ($m // '')
        =~ /(<AdaptationSet[^>]*contentType="video".*?<\/AdaptationSet>)/s;
    my ($bw) = ($set // '') =~ /<Representation[^>]*bandwidth="(\d+)"/;
    my @s = ($set // '') =~ /<S (?:t="(\d+)" )?d="(\d+)"(?: r="(\d+)")?/g;
    my ($pos, @segs) = (0);

    while (my ($st, $sd, $sr) = splice(@s, 0, 3)) {
        $pos = $st if defined $st;
        for (0 .. ($sr // 0)) {
            push @segs, [ $pos, $sd ];
            $pos += $sd;
        }
    }

    return (\@segs, $bw);
}

# a record of fragment $time in an index of the asset, its file linked
sub recorded {
    my ($tt, $time) = @_;

    my $d = $tt->testdir;

    for my $index (glob("$d/data/assets/*/*/index")) {
        (my $slot = $index) =~ s{/index$}{};
        next unless -f "$slot/$time.m4s";
        my $data = $tt->read_file($index) // '';
        for (my $off = 0; $off + 32 <= length $data; $off += 32) {
            return 1 if unpack('Q<', substr($data, $off, 8)) == $time;
        }
    }

    return 0;
}

# an API request answered by a running worker: one that lands on the
# stopped worker waits; another connection is tried
sub api_running {
    my ($tt, @req) = @_;

    my $r;

    for (1 .. 20) {
        $r = $tt->api(@req, undef, timeout => 0.5);
        return $r unless $r->{status} == 599;
    }

    return $r;
}

sub read_head {
    my ($s, $timeout) = @_;

    my ($buf, $deadline) = ('', time + $timeout);
    my $sel = IO::Select->new($s);

    while ($buf !~ /\r\n\r\n/ && time < $deadline) {
        next unless $sel->can_read(0.1);
        my $n = sysread($s, $buf, 4096, length $buf);
        last unless $n;
    }

    return $buf =~ /^(.*?\r\n)\r\n/s ? $1 : undef;
}

# what the server sends until it closes; undef if it does not close
sub read_to_eof {
    my ($s, $timeout) = @_;

    my ($buf, $deadline) = ('', time + $timeout);
    my $sel = IO::Select->new($s);

    while (time < $deadline) {
        next unless $sel->can_read(0.1);
        my $n = sysread($s, $buf, 65536, length $buf);
        return $buf if defined $n && $n == 0;
        return $buf unless defined $n;
    }

    return undef;
}
