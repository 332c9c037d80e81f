#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Low-latency HLS (issue 14), end to end: ffmpeg pushes a live test
# pattern (1 s GOP, 30 fps, AAC) over RTMP to a LowLatencyV2 pass-through
# event of an nginx with two workers (reuseport: requests land on either,
# the ingest on one of them).
#
#  - the m3u8-cmaf media playlists (video and audio): version 9, server
#    control (blocking reload, PART-HOLD-BACK >= 3 part targets), part
#    durations within the target, the parts of each segment add up to
#    it, and they hold the segment's samples (tfdt, trun entries,
#    mdat bytes; part 0 starts with styp), INDEPENDENT=YES exactly on the
#    parts that start with a sync sample, the preload hint becomes the
#    next listed part (a player's loop of blocking reloads across segment
#    boundaries), rendition reports name a part the other playlist has,
#    PROGRAM-DATE-TIME; a Default event has none of the tags;
#    streamOptions cannot change once created (PATCH and PUT keep them);
#  - blocking playlist reload and blocking preload hints, from both
#    workers: answered within a part duration + 100 ms of the part being
#    written to its fragment's parts file (its mtime), the part listed,
#    the hint's bytes;
#  - bad requests answered at once (400 too far ahead, _HLS_part alone,
#    404 for a part far beyond); clients leaving while parked (ended:
#    499 in access.log; the workers live on, their memory steady);
#    stopping the event answers the parked requests at once, not at
#    their deadline;
#  - a second nginx, one worker: 1000 requests parked at once cost next
#    to no CPU and no memory while parts come (each wakes them), bounded
#    memory in all, and are all answered once their part comes (CPU and
#    memory figures not with a sanitizer build).

use strict;
use warnings;

use Test::More;
use IO::Poll qw(POLLIN POLLHUP POLLERR);
use IO::Handle;
use Socket ();
use POSIX ();
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Ingest qw(fixture);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(
    workers => 2,
    listen => ' reuseport',
    location => <<'EOF');
aio threads=sluice;
add_header X-Sluice-Worker $pid always;
EOF
$t->run();

# the nginx the helpers talk to
my $cur = $t;

my $PART = 0.5;             # sluice_part_duration's default
my $SLACK = 0.1;            # what a blocking answer may take beyond it

my $LL_TOKEN = 'c0ffee' x 5 . '06';
my $DF_TOKEN = 'c0ffee' x 5 . '07';

my %LAVFI = (gop => 1, fps => 30, size => '320x180', vbitrate => '300k',
    abitrate => '64k');

###############################################################################
# the events: LowLatencyV2 and Default

my $ll = ll_event($t, 'll', $LL_TOKEN);
ok($ll, 'LowLatencyV2 live event running') or BAIL_OUT('no live event');
is_deeply($ll->{properties}{streamOptions}, ['LowLatencyV2'],
    'streamOptions stored');

my $df = $t->create_live_event('dflt', token => $DF_TOKEN, timeout => 30,
    input => { keyFrameIntervalDuration => 'PT1S' },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($df, 'Default live event running') or BAIL_OUT('no live event');

# create-only: an update keeps the options (as AMS does)
{
    my $r = $t->api(PATCH => 'liveEvents/ll',
        { properties => { streamOptions => ['Default'] } });
    is($r->{status}, 200, 'PATCH of streamOptions accepted');
    is_deeply($t->api(GET => 'liveEvents/ll')->{json}{properties}
        {streamOptions}, ['LowLatencyV2'], 'LowLatencyV2 kept');

    $r = $t->api(PATCH => 'liveEvents/dflt',
        { properties => { streamOptions => ['LowLatencyV2'] } });
    is($r->{status}, 200, 'PATCH to LowLatencyV2 accepted');
    is_deeply($t->api(GET => 'liveEvents/dflt')->{json}{properties}
        {streamOptions}, [], 'a Default event stays Default');

    my $doc = $t->api(GET => 'liveEvents/dflt')->{json};
    $doc->{properties}{streamOptions} = ['LowLatencyV2'];
    $r = $t->api(PUT => 'liveEvents/dflt', { location => 'local',
        properties => $doc->{properties} });
    like($r->{status}, qr/^20[01]$/, 'PUT of the event accepted');
    is_deeply($t->api(GET => 'liveEvents/dflt')->{json}{properties}
        {streamOptions}, [], 'and it stays Default');
}

my $before = $t->event_dirs();
$t->publish(lavfi => { %LAVFI, duration => 0 },
    path => "live/$LL_TOKEN/stream");
my $gen = $t->wait_for(sub { $t->new_event_dir($before) },
    timeout => 20, what => 'the event directory');

my $df_file = fixture('av', %LAVFI, duration => 12);
$t->publish(input => $df_file, path => "live/$DF_TOKEN/stream");

my $base = '/' . $ll->{properties}{preview}{previewLocator} . '/preview.ism';
my ($master, $vpath, $apath) = ('');
ok($t->wait_for(sub {
    $master = $t->get("$base/manifest(format=m3u8-cmaf).m3u8")->{body};
    ($vpath) = $master =~ /^(QualityLevels\(\d+\)\/Manifest\(video[^\n]*\))$/m;
    ($apath) = $master
        =~ /URI="(QualityLevels\(\d+\)\/Manifest\(audio[^"]*\))"/;
    return $vpath && $apath;
}, timeout => 20, interval => 0.2, what => 'the master playlist'),
    'master playlist: video and audio playlists')
    or BAIL_OUT("no playlists: $master");
$vpath = "$base/$vpath";
$apath = "$base/$apath";

# three complete segments with parts in both playlists
my ($vpl, $apl);
ok($t->wait_for(sub {
    $vpl = playlist($t->get($vpath)->{body});
    $apl = playlist($t->get($apath)->{body});
    return (grep { @{$_->{parts}} } @{$vpl->{segs}}) >= 3
        && (grep { @{$_->{parts}} } @{$apl->{segs}}) >= 3;
}, timeout => 25, interval => 0.2, what => 'segments with parts'),
    'playlists with parts') or BAIL_OUT('no parts');

my %dirs = map { $_ => $t->track($gen, $_)->{dir} } qw(video audio);
ok($dirs{video} && $dirs{audio}, 'track directories') or BAIL_OUT('no dirs');

my $ingest_pid = ($t->error_log() =~
    /(\d+)#\d+: \*\d+ sluice: "stream" publishing to live event "ll"/)[0];
ok($ingest_pid, "the ingest worker: $ingest_pid");

###############################################################################
# 1. the playlists

for my $kind (qw(video audio)) {
    my $path = $kind eq 'video' ? $vpath : $apath;
    my $pl = playlist($t->get($path)->{body});
    check_tags($pl, $kind);
    check_media($pl, $path, $kind);
}

# the preload hint is the next part listed: a player's loop, a blocking
# reload for the hint of the last answer, over two segment boundaries
{
    my %chain;
    my @bad;

    for my $kind (qw(video audio)) {
        my $path = $kind eq 'video' ? $vpath : $apath;
        my $pl = playlist($t->get($path)->{body});
        $chain{$kind} = { path => $path, pl => $pl, hops => 0, segs => 0 };
    }

    my $deadline = time + 8;
    while (time < $deadline
           && grep { $_->{hops} < 6 || $_->{segs} < 2 } values %chain)
    {
        for my $c (values %chain) {
            next if $c->{req} || ($c->{hops} >= 6 && $c->{segs} >= 2);
            my ($msn, $part) = hint_position($c->{pl});
            $c->{want} = [ $c->{pl}{hint} // '', $msn // -1, $part // -1 ];
            $c->{req} = request("$c->{path}?_HLS_msn=" . ($msn // 0)
                                . '&_HLS_part=' . ($part // 0));
        }
        my @reqs = map { $_->{req} } values %chain;
        pump(\@reqs, 4, undef, 0, 1);
        for my $kind (sort keys %chain) {
            my $c = $chain{$kind};
            my $r = $c->{req};
            next unless defined $r->{done};
            delete $c->{req};
            my $pl = playlist($r->{body});
            my ($uri, $msn, $part) = @{$c->{want}};
            my ($p) = grep { $_->{uri} eq $uri } all_parts($pl);
            push @bad, "$kind: hint $uri ($msn.$part) not the next part: "
                . ($r->{status} // '-') . "\n$r->{body}"
                unless ($r->{status} // 0) == 200 && $p
                       && $p->{msn} == $msn && $p->{index} == $part;
            $c->{segs}++ if @{$pl->{segs}} > @{$c->{pl}{segs}};
            $c->{hops}++;
            $c->{pl} = $pl;
        }
    }

    is(join("\n", @bad), '', 'the preload hint is the next part listed '
        . "(blocking reloads, $chain{video}{hops} video, "
        . "$chain{audio}{hops} audio)");
    ok($chain{video}{segs} >= 2 && $chain{audio}{segs} >= 2,
        'over two segment boundaries');
}

# rendition reports: the other playlist has the part they name
for my $kind (qw(video audio)) {
    my ($path, $other, $name) = $kind eq 'video'
        ? ($vpath, $apath, 'audio') : ($apath, $vpath, 'video');
    my $pl = playlist($t->get($path)->{body});
    my ($rep) = @{$pl->{reports}};
    like($rep->{URI} // '', qr/^\.\.\/QualityLevels\(\d+\)\/Manifest\($name,/,
        "$kind: rendition report names the $name playlist");
    (my $want = $other) =~ s{^.*/(QualityLevels)}{../$1};
    is($rep->{URI}, $want, "$kind: its URI is that of the master playlist");
    my $o = playlist($t->get($other)->{body});
    my ($seg) = grep { $_->{msn} == ($rep->{'LAST-MSN'} // -1) }
        @{$o->{segs}}, progress_seg($o);
    my ($p) = grep { $_->{index} == ($rep->{'LAST-PART'} // -1) }
        @{$seg ? $seg->{parts} : []};
    ok($p, "$kind: LAST-MSN $rep->{'LAST-MSN'} LAST-PART "
        . "$rep->{'LAST-PART'} is a part of the $name playlist");
}

# the Default event: none of it
{
    my $dbase = '/' . $df->{properties}{preview}{previewLocator}
        . '/preview.ism';
    my ($dv, $body) = (undef, '');
    ok($t->wait_for(sub {
        my $m = $t->get("$dbase/manifest(format=m3u8-cmaf).m3u8")->{body};
        ($dv) = $m =~ /^(QualityLevels\(\d+\)\/Manifest\(video[^\n]*\))$/m;
        $body = $dv ? $t->get("$dbase/$dv")->{body} : '';
        return $body =~ /^#EXTINF/m;
    }, timeout => 15, what => 'the Default playlist'), 'Default playlist');
    $dv //= '';
    unlike($body, qr/^\#EXT-X-(?:SERVER-CONTROL|PART-INF|PART|PRELOAD-HINT
        |RENDITION-REPORT|SKIP)\b/mx, 'Default event: no low-latency tag')
        or diag($body);

    my $n = () = $body =~ /^#EXTINF/mg;
    my $t0 = time;
    my $r = $t->get("$dbase/$dv?_HLS_msn=" . ($n + 1) . '&_HLS_part=0');
    ok($r->{status} == 200 && time - $t0 < 1,
        'Default event: _HLS_msn ignored, answered at once');
    my ($seg) = $body =~ /^(Fragments\(video=\d+,format=m3u8-cmaf\))\.m4s$/m;
    $seg //= 'Fragments(video=0,format=m3u8-cmaf)';
    (my $part = $seg) =~ s/\)$/,part=0).m4s/;
    (my $dir = $dv) =~ s{/[^/]*$}{};
    $r = $t->get("$dbase/$dir/$part");
    like($r->{status}, qr/^40[04]$/, "Default event: no part ($r->{status})");
}

###############################################################################
# 2. blocking requests, answered across workers

my (%workers, @late, $slowest);
my ($rounds, $tries) = (0, 0);

while ($rounds < 3 && $tries++ < 8) {
    my $np = next_part($vpath, 'video');
    my $q = "$vpath?_HLS_msn=$np->{msn}&_HLS_part=$np->{part}";
    my @reqs = map { request($q) } 1 .. 8;
    my $res = pump(\@reqs, 6, $np);

    unless ($res->{parked}) {
        diag("part $np->{msn}.$np->{part} there before the requests");
        next;
    }
    $rounds++;

    for my $r (@reqs) {
        my $listed = grep { $_->{uri} eq $np->{uri} }
            all_parts(playlist($r->{body}));
        my $lat = ($r->{done} // 99) - $res->{mtime};
        my $w = $r->{headers}{'x-sluice-worker'} // '?';
        $workers{$w}++;
        $slowest = $lat if !defined $slowest || $lat > $slowest;
        push @late, sprintf('%d.%d on %s: %.3f s, %s%s', $np->{msn},
            $np->{part}, $w, $lat, $r->{status} // '-',
            $r->{dups} ? ", headers twice: $r->{dups}" : '')
            unless ($r->{status} // 0) == 200 && $listed && !$r->{dups}
                   && $lat <= $PART + $SLACK;
    }
}

is($rounds, 3, '3 rounds of 8 blocking reloads, parked');
is(join("\n", @late), '', 'blocking reloads: 200, the part listed, '
    . 'within a part + 100 ms of its file '
    . sprintf('(the slowest %.3f s)', $slowest // -1));
ok((grep { $_ ne ($ingest_pid // '') } keys %workers)
   && keys %workers == 2, 'answered by both workers: '
   . join(', ', map { "$_: $workers{$_}" } sort keys %workers));

# a blocking preload hint: the part's bytes, as soon as they are there
for my $kind (qw(video audio)) {
    my $path = $kind eq 'video' ? $vpath : $apath;
    my ($np, $res, @reqs);

    for (1 .. 4) {
        $np = next_part($path, $kind);
        @reqs = map { request("$np->{dir}/$np->{uri}") } 1 .. 4;
        $res = pump(\@reqs, 6, $np);
        last if $res->{parked};
    }

    my $bytes = part_bytes($np) // '';
    my @bad = grep {
        ($_->{status} // 0) != 200 || $_->{body} ne $bytes
        || $_->{done} - ($res->{mtime} // 0) > $PART + $SLACK
    } @reqs;
    ok($res->{parked} && length $bytes && !@bad,
        "$kind: 4 blocking preload hints: the part's bytes within a part "
        . '+ 100 ms') or diag(join ', ', map {
            sprintf '%s %.3f', $_->{status} // '-',
                ($_->{done} // 0) - ($res->{mtime} // 0) } @reqs);
}

###############################################################################
# 3. bad requests, clients that leave, the event stopped

{
    my $np = next_part($vpath, 'video');
    my $t0 = time;
    my $r = $t->get("$vpath?_HLS_msn=" . ($np->{msn} + 10));
    ok($r->{status} == 400 && time - $t0 < 0.5,
        "_HLS_msn far ahead: 400 at once ($r->{status})");

    $t0 = time;
    $r = $t->get("$vpath?_HLS_part=1");
    ok($r->{status} == 400 && time - $t0 < 0.5,
        "_HLS_part without _HLS_msn: 400 ($r->{status})");

    $t0 = time;
    $r = $t->get("$vpath?_HLS_msn=$np->{msn}&_HLS_part=40");
    ok($r->{status} == 400 && time - $t0 < 0.5,
        "_HLS_part far ahead: 400 at once ($r->{status})");

    (my $far = $np->{uri}) =~ s/part=\d+/part=40/;
    $t0 = time;
    $r = $t->get("$np->{dir}/$far");
    ok($r->{status} =~ /^40[04]$/ && time - $t0 < 0.5,
        "a part far beyond: $r->{status} at once");

    (my $later = $np->{uri}) =~ s/video=(\d+)/'video=' . ($1 + 900000)/e;
    $t0 = time;
    $r = $t->get("$np->{dir}/$later");
    ok($r->{status} =~ /^40[04]$/ && time - $t0 < 0.5,
        "a part of a fragment 10 s ahead: $r->{status} at once");
}

# clients leaving while parked: 3 rounds of 100
{
    my @pids = worker_pids($t);
    my @rss;
    my $off = $t->log_offset();

    for my $round (1 .. 3) {
        # a part 0.5 s away at least
        my $np = next_part($vpath, 'video', 2);
        my $q = "$vpath?_HLS_msn=$np->{msn}&_HLS_part=$np->{part}";
        my @reqs = map { request($q) } 1 .. 100;
        # parked: read by nginx, none answered (the part is not there)
        read_all($t);
        my $res = pump(\@reqs, 0, $np);
        my $answered = grep { defined $_->{status} } @reqs;
        close $_->{sock} for grep { $_->{sock} } @reqs;
        # nginx ends them (499 in access.log: finalized, freed)
        my $ended = $t->wait_for(sub {
            my @l = ($t->read_file('access.log') // '') =~ /" 499 /g;
            return @l == 100 * $round;
        }, timeout => 3, interval => 0.02, what => 'the 499s');
        # the part comes, the workers go on
        my $r = $t->get($q);
        ok($res->{parked} && $answered == 0 && $ended && $r->{status} == 200,
            "round $round: 100 parked requests left, ended (499), the part "
            . 'came')
            or diag("parked $res->{parked}, answered $answered, "
                    . "$r->{status} $np->{file} $q\n$np->{pl}{text}");
        push @rss, rss(@pids);
    }

    is(join(' ', worker_pids($t)), join(' ', @pids), 'the same workers');
    my @alerts = grep { /\[(?:alert|crit|error|emerg)\]/ }
        split /\n/, substr($t->error_log(), $off);
    is(join("\n", @alerts), '', 'no alert');
    SKIP: {
        skip 'a sanitizer build: its quarantine keeps what is freed', 1
            if $ENV{SLUICE_SANITIZE};
        cmp_ok($rss[2] - $rss[0], '<', 2048,
            "workers' RSS steady (kB: @rss)");
    }
}

# stopping the event answers its parked requests
{
    # just after a part: the next one (its preload hint) 0.5 s away
    my $hp = next_part($vpath, 'video');
    $t->get("$vpath?_HLS_msn=$hp->{msn}&_HLS_part=$hp->{part}");
    $hp = next_part($vpath, 'video');
    my $np = next_part($vpath, 'video', 4);
    my @reqs = map {
        request("$vpath?_HLS_msn=$np->{msn}&_HLS_part=$np->{part}") } 1 .. 6;
    push @reqs, map { request("$hp->{dir}/$hp->{uri}") } 1 .. 2;
    read_all($t);
    pump(\@reqs, 0);
    my $waiting = grep { !defined $_->{status} } @reqs;

    my $r = $t->api(POST => 'liveEvents/ll/stop', {});
    my $stop = time;
    pump(\@reqs, 4);
    my ($worst) = sort { $b <=> $a }
        map { defined $_->{done} ? $_->{done} - $stop : 99 } @reqs;

    is($waiting, 8, '8 requests parked (a part 2 s ahead, preload hints)');
    like($r->{status}, qr/^20[02]$/, 'live event stopped');
    cmp_ok($worst, '<', 1, sprintf('all answered at once after the stop '
        . '(%.3f s; deadline 3 s): %s', $worst,
        join(' ', map { $_->{status} // '-' } @reqs)));
}

$t->stop_publishers();
$t->stop();

###############################################################################
# 4. 1000 parked requests in one worker

SKIP: {
    my $nofile = `sh -c 'ulimit -n'`;
    skip "ulimit -n $nofile: 1000 connections need more", 9
        unless $nofile =~ /unlimited/ || $nofile > 1100;

    my $t2 = Test::Sluice->new();
    $t2->write_sluice_conf(
        workers => 1,
        listen => ' backlog=2048',
        main => 'worker_rlimit_nofile 8192;',
        events => 'worker_connections 4096;',
        location => 'aio threads=sluice;');
    $t2->run();
    $cur = $t2;

    my $ev = ll_event($t2, 'll2', $LL_TOKEN);
    my $b2 = $t2->event_dirs();
    $t2->publish(lavfi => { %LAVFI, duration => 0 },
        path => "live/$LL_TOKEN/stream");
    my $gen2 = $t2->wait_for(sub { $t2->new_event_dir($b2) }, timeout => 20);
    my $pbase = '/' . $ev->{properties}{preview}{previewLocator}
        . '/preview.ism';
    my $vp = $t2->wait_for(sub {
        my $m = $t2->get("$pbase/manifest(format=m3u8-cmaf).m3u8")->{body};
        return ($m =~ /^(QualityLevels\(\d+\)\/Manifest\(video[^\n]*\))$/m)[0];
    }, timeout => 20, interval => 0.2, what => 'the master playlist');
    $vp = "$pbase/" . ($vp // '');
    ok($t2->wait_for(sub {
        (grep { @{$_->{parts}} } @{playlist($t2->get($vp)->{body})->{segs}})
            >= 2 }, timeout => 25, interval => 0.2), 'second nginx: parts')
        or skip 'no parts', 8;
    %dirs = (video => $t2->track($gen2, 'video')->{dir});

    my ($pid) = worker_pids($t2);

    # just after a part: the one 4 parts on comes 2 s later
    my $hp = next_part($vp, 'video');
    $t2->get("$vp?_HLS_msn=$hp->{msn}&_HLS_part=$hp->{part}");
    my $np = next_part($vp, 'video', 4);
    my $due = ((Time::HiRes::stat($hp->{file}))[9] // time) + 4 * $PART;
    my $rss0 = rss($pid);
    my @reqs = map {
        request("$vp?_HLS_msn=$np->{msn}&_HLS_part=$np->{part}") } 1 .. 1000;
    my $opened = grep { $_->{sock} } @reqs;

    # every request read by nginx (then parked: no thread, no I/O)
    ok(read_all($t2), 'nginx read the 1000 requests');

    # parked: the worker's CPU and memory for a second (parts and fragments
    # of the event meanwhile: a wake-up each)
    my ($c0, $w0, $rssp) = (cpu($pid), time, rss($pid));
    pump(\@reqs, min(1, $due - 0.25 - $w0), undef, 1);
    my ($c1, $w1) = (cpu($pid), time);
    my $rss1 = rss($pid);
    my $changes = grep { my $m = (Time::HiRes::stat($_))[9];
                         $m >= $w0 && $m < $w1 } glob("$gen2/*/*.m4[ps]");
    my $early = grep { defined $_->{status} } @reqs;

    my $res = pump(\@reqs, 5, $np);
    my @ok = grep {
        ($_->{status} // 0) == 200 && index($_->{body}, $np->{uri}) >= 0
    } @reqs;

    is($opened, 1000, '1000 connections');
    ok($early == 0 && $w1 - $w0 >= 0.5,
        sprintf('parked for %.2f s (%d answered early)', $w1 - $w0, $early));
    SKIP: {
        # ASan: its quarantine keeps what is freed, its checks cost CPU
        skip 'a sanitizer build: no CPU or memory figures', 3
            if $ENV{SLUICE_SANITIZE};

        cmp_ok(($c1 - $c0) / ($w1 - $w0), '<', 0.05,
            sprintf('worker CPU while parked: %.1f%% of %.2f s',
                100 * ($c1 - $c0) / ($w1 - $w0), $w1 - $w0));
        cmp_ok($rss1 - $rss0, '<', 20 * 1024,
            'worker RSS growth: ' . ($rss1 - $rss0) . ' kB for 1000 parked');
        cmp_ok($rss1 - $rssp, '<', 2048, 'and ' . ($rss1 - $rssp)
            . " kB while they were parked ($changes parts and fragments "
            . 'meanwhile)');
    }
    is(scalar @ok, 1000, 'all 1000 answered 200 with the part, '
        . sprintf('the last %.3f s after its file',
            max(map { $_->{done} // 0 } @reqs) - ($res->{mtime} // 0)));

    close $_->{sock} for grep { $_->{sock} } @reqs;
    $t2->stop_publishers();
    $t2->stop();
    is(join("\n", $t2->check_log()), '', 'second nginx: error log clean');
}

$t->done_testing();

###############################################################################
# helpers

sub ll_event {
    my ($tt, $name, $token) = @_;

    return $tt->create_live_event($name, token => $token, timeout => 30,
        input => { keyFrameIntervalDuration => 'PT1S' },
        properties => { encoding => { encodingType => 'PassthroughBasic' },
                        streamOptions => ['LowLatencyV2'] });
}

sub max {
    my $m = shift;
    for (@_) { $m = $_ if $_ > $m }
    return $m;
}

sub min {
    my $m = shift;
    for (@_) { $m = $_ if $_ < $m }
    return $m;
}

sub attrs {
    my ($s) = @_;
    my %a;

    while ($s =~ /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g) {
        my ($k, $v) = ($1, $2);
        $v =~ s/^"(.*)"$/$1/;
        $a{$k} = $v;
    }
    return \%a;
}

# a media playlist: its tags, segments (msn, duration, uri, parts) and the
# parts of the segment in progress
sub playlist {
    my ($text) = @_;
    my %pl = (segs => [], progress => [], reports => [], pdt => 0,
        text => $text // '');
    my (@parts, $dur);

    for my $l (split /\r?\n/, $text // '') {
        if ($l =~ /^#EXT-X-VERSION:(\d+)/) {
            $pl{version} = $1;
        } elsif ($l =~ /^#EXT-X-TARGETDURATION:(\d+)/) {
            $pl{target} = $1;
        } elsif ($l =~ /^#EXT-X-MEDIA-SEQUENCE:(\d+)/) {
            $pl{msn} = $1;
        } elsif ($l =~ /^#EXT-X-SKIP:(.*)/) {
            $pl{skipped} = attrs($1)->{'SKIPPED-SEGMENTS'};
        } elsif ($l =~ /^#EXT-X-SERVER-CONTROL:(.*)/) {
            $pl{control} = attrs($1);
        } elsif ($l =~ /^#EXT-X-PART-INF:(.*)/) {
            $pl{part_target} = attrs($1)->{'PART-TARGET'};
        } elsif ($l =~ /^#EXT-X-PROGRAM-DATE-TIME:/) {
            $pl{pdt}++;
        } elsif ($l =~ /^#EXT-X-MAP:(.*)/) {
            $pl{map} = attrs($1)->{URI};
        } elsif ($l =~ /^#EXT-X-PART:(.*)/) {
            my $a = attrs($1);
            push @parts, { dur => $a->{DURATION}, uri => $a->{URI},
                indep => ($a->{INDEPENDENT} // '') eq 'YES' };
        } elsif ($l =~ /^#EXT-X-PRELOAD-HINT:(.*)/) {
            my $a = attrs($1);
            $pl{hint} = $a->{URI} if ($a->{TYPE} // '') eq 'PART';
        } elsif ($l =~ /^#EXT-X-RENDITION-REPORT:(.*)/) {
            push @{$pl{reports}}, attrs($1);
        } elsif ($l =~ /^#EXTINF:([\d.]+)/) {
            $dur = $1;
        } elsif ($l =~ /^[^#]/ && defined $dur) {
            push @{$pl{segs}}, { dur => $dur, uri => $l, parts => [@parts] };
            @parts = ();
            undef $dur;
        }
    }

    $pl{progress} = \@parts;

    my $msn = ($pl{msn} // 0) + ($pl{skipped} // 0);
    for my $s (@{$pl{segs}}, progress_seg(\%pl)) {
        $s->{msn} = $msn++;
        my $i = 0;
        for my $p (@{$s->{parts}}) {
            $p->{msn} = $s->{msn};
            $p->{index} = $i++;
        }
    }
    return \%pl;
}

# the segment in progress, as a segment with parts only
sub progress_seg {
    my ($pl) = @_;

    return () unless @{$pl->{progress}};
    $pl->{progress_seg} //= { parts => $pl->{progress} };
    return $pl->{progress_seg};
}

sub all_parts {
    my ($pl) = @_;
    return map { @{$_->{parts}} } @{$pl->{segs}}, progress_seg($pl);
}

# the media sequence number and part index of the preload hint
sub hint_position {
    my ($pl) = @_;
    my ($time, $index) = ($pl->{hint} // '') =~ /=(\d+),.*part=(\d+)\)/;
    my @prog = @{$pl->{progress}};

    return unless defined $index;
    if (@prog) {
        # of the fragment in progress, or (its last part there) the next
        return ($prog[0]{msn} + ($prog[0]{uri} =~ /=$time,/ ? 0 : 1), $index);
    }
    my $last = $pl->{segs}[-1];
    return (($last ? $last->{msn} : ($pl->{msn} // 0) - 1) + 1, $index);
}

# the hint's position "ahead" parts on (1: the hint): (msn, part)
sub position_ahead {
    my ($pl, $ahead) = @_;
    my ($msn, $part) = hint_position($pl);
    my ($full) = grep { @{$_->{parts}} } reverse @{$pl->{segs}};
    my $per = $full ? scalar @{$full->{parts}} : 2;

    for (2 .. $ahead) {
        ($msn, $part) = ($msn + 1, -1) if ++$part >= $per;
        $part = 0 if $part < 0;
    }
    return ($msn, $part);
}

# the next part, or the one "ahead" parts on (further than the next:
# video only, its fragments 1 s each), that is not there yet:
# {pl, msn, part, uri, file, dir}
sub next_part {
    my ($path, $kind, $ahead) = @_;
    (my $dir = $path) =~ s{/[^/]*$}{};

    for (1 .. 20) {
        my $pl = playlist($cur->get($path)->{body});
        my ($hmsn) = hint_position($pl);
        my ($time) = ($pl->{hint} // '') =~ /=(\d+),/;
        next unless defined $time;
        my ($msn, $part) = position_ahead($pl, $ahead // 1);
        $time += ($msn - $hmsn) * 90000;
        (my $uri = $pl->{hint}) =~ s/=\d+,(.*)part=\d+/=$time,$1part=$part/;
        my $np = { pl => $pl, msn => $msn, part => $part, uri => $uri,
                   file => "$dirs{$kind}/$time.m4p", dir => $dir,
                   at => time };
        return $np unless defined part_bytes($np);
    }
    BAIL_OUT("no next part of $path");
}

# 1. the tags of a playlist
sub check_tags {
    my ($pl, $kind) = @_;
    my $c = $pl->{control} // {};
    my $pt = $pl->{part_target} // 0;

    cmp_ok($pl->{version} // 0, '>=', 9, "$kind: EXT-X-VERSION >= 9");
    is($c->{'CAN-BLOCK-RELOAD'}, 'YES', "$kind: CAN-BLOCK-RELOAD=YES");
    ok($pt > 0 && $pt <= $PART + 0.001, "$kind: PART-TARGET $pt");
    cmp_ok($c->{'PART-HOLD-BACK'} // 0, '>=', 3 * $pt,
        "$kind: PART-HOLD-BACK >= 3 part targets");
    ok($pl->{pdt}, "$kind: EXT-X-PROGRAM-DATE-TIME");
    ok($pl->{hint}, "$kind: EXT-X-PRELOAD-HINT");
    is(scalar @{$pl->{reports}}, 1, "$kind: a rendition report");

    my @bad;
    for my $s (@{$pl->{segs}}, progress_seg($pl)) {
        my @p = @{$s->{parts}};
        for my $i (0 .. $#p) {
            push @bad, "$p[$i]{uri} $p[$i]{dur} > $pt" if $p[$i]{dur} > $pt;
            push @bad, "$p[$i]{uri} $p[$i]{dur} < 85%"
                if $i < $#p && $p[$i]{dur} < 0.85 * $pt;
        }
        next unless @p && defined $s->{dur};
        my $sum = 0;
        $sum += $_->{dur} for @p;
        push @bad, "$s->{uri}: parts $sum, EXTINF $s->{dur}"
            if abs($sum - $s->{dur}) > 0.001 + 1e-9;
    }
    is(join("\n", @bad), '', "$kind: part durations within the target, "
        . 'the parts of a segment add up to it');
}

# 1. the parts' media against their segments'
sub check_media {
    my ($pl, $path, $kind) = @_;
    (my $dir = $path) =~ s{/[^/]*$}{};
    my $init = $cur->get("$dir/$pl->{map}")->{body};
    my $trex = trex_flags($init);
    my (@bad, $nsegs, $nparts);

    for my $s (grep { @{$_->{parts}} } @{$pl->{segs}}) {
        my $seg = media($cur->get("$dir/$s->{uri}")->{body}, $trex);
        my (@samples, $mdat, $n);
        my $time = $seg->{tfdt};
        $nsegs++;

        for my $p (@{$s->{parts}}) {
            my $r = $cur->get("$dir/$p->{uri}");
            my $m = media($r->{body}, $trex);
            my $first = $m->{types}[0] // '';
            my $want = $p->{index} == 0 ? 'styp' : 'moof';
            $nparts++;

            push @bad, "$p->{uri}: $r->{status}" if $r->{status} != 200;
            push @bad, "$p->{uri}: starts with $first, not $want"
                if $first ne $want;
            push @bad, "$p->{uri}: tfdt $m->{tfdt}, not $time"
                if ($m->{tfdt} // -1) != ($time // -2);
            push @bad, "$p->{uri}: INDEPENDENT " . ($p->{indep} ? 1 : 0)
                . ", sync " . ($m->{sync} ? 1 : 0)
                if !$p->{indep} != !$m->{sync};
            $time += $_->[0] for @{$m->{samples}};
            push @samples, @{$m->{samples}};
            $mdat .= $m->{mdat};
        }

        push @bad, "$s->{uri}: samples differ"
            unless join(';', map { "@$_" } @samples)
                   eq join(';', map { "@$_" } @{$seg->{samples}});
        push @bad, "$s->{uri}: mdat bytes differ"
            unless $mdat eq $seg->{mdat} && length $mdat;
    }

    ok($nsegs >= 2, "$kind: $nsegs segments, $nparts parts compared");
    is(join("\n", @bad), '', "$kind: the parts hold their segment's samples"
        . ' and bytes, INDEPENDENT=YES on sync starts');
}

# top-level boxes: [type, payload]
sub boxes {
    my ($buf) = @_;
    my ($o, @b) = (0);

    while ($o + 8 <= length $buf) {
        my ($size, $type) = unpack 'Na4', substr($buf, $o, 8);
        my $h = 8;
        if ($size == 1) {
            $size = unpack 'Q>', substr($buf, $o + 8, 8);
            $h = 16;
        }
        $size = length($buf) - $o if $size == 0;
        last if $size < $h || $o + $size > length $buf;
        push @b, [ $type, substr($buf, $o + $h, $size - $h) ];
        $o += $size;
    }
    return @b;
}

sub child {
    my ($buf, @path) = @_;
    my $type = shift @path;
    for my $b (boxes($buf)) {
        next unless $b->[0] eq $type;
        return @path ? child($b->[1], @path) : $b->[1];
    }
    return undef;
}

# default_sample_flags of the init segment's trex
sub trex_flags {
    my ($init) = @_;
    my $trex = child($init, 'moov', 'mvex', 'trex') // '';
    return length $trex >= 24 ? unpack('N', substr($trex, 20, 4)) : 0;
}

# a CMAF fragment: box types, tfdt, samples [duration size flags cto],
# whether its first sample is a sync sample, its mdat payloads
sub media {
    my ($buf, $trex) = @_;
    my %m = (types => [], samples => [], mdat => '');

    for my $b (boxes($buf // '')) {
        push @{$m{types}}, $b->[0];
        $m{mdat} .= $b->[1] if $b->[0] eq 'mdat';
        next unless $b->[0] eq 'moof';

        my $traf = child($b->[1], 'traf') // '';
        my $tfhd = child($traf, 'tfhd') // '';
        my $tfdt = child($traf, 'tfdt') // '';
        my $trun = child($traf, 'trun') // '';
        my ($dd, $ds, $df) = (0, 0, $trex);
        my ($box, $o);
        my $next = sub {        # the next 32 bits of $box at $o
            my $v = unpack $_[0] // 'N', substr($box, $o, 4);
            $o += 4;
            return $v;
        };

        ($box, $o) = ($tfhd, 0);
        my $tf = $next->() & 0xffffff;
        $o += 4;                                # track_ID
        $o += 8 if $tf & 0x1;
        $o += 4 if $tf & 0x2;
        $dd = $next->() if $tf & 0x8;
        $ds = $next->() if $tf & 0x10;
        $df = $next->() if $tf & 0x20;

        if (length $tfdt) {
            my $v = unpack 'C', $tfdt;
            $m{tfdt} //= $v ? unpack('Q>', substr($tfdt, 4, 8))
                            : unpack('N', substr($tfdt, 4, 4));
        }

        ($box, $o) = ($trun, 0);
        my $flags = $next->() & 0xffffff;
        my $n = $next->();
        $o += 4 if $flags & 0x1;                # data_offset
        my $first = ($flags & 0x4) ? $next->() : undef;

        for my $i (0 .. $n - 1) {
            my ($d, $s, $f, $c) = ($dd, $ds, $df, 0);
            $d = $next->() if $flags & 0x100;
            $s = $next->() if $flags & 0x200;
            $f = $next->() if $flags & 0x400;
            $c = $next->('l>') if $flags & 0x800;
            $f = $first if $i == 0 && defined $first;
            push @{$m{samples}}, [ $d, $s, ($f & 0x10000) ? 0 : 1, $c ];
        }
    }
    $m{sync} = @{$m{samples}} && $m{samples}[0][2];
    return \%m;
}

# a request on a connection of its own, read by pump()
sub request {
    my ($path) = @_;
    my $addr = Socket::pack_sockaddr_in($cur->port(8080),
        Socket::inet_aton('127.0.0.1'));
    my $s = IO::Handle->new();

    socket($s, Socket::PF_INET(), Socket::SOCK_STREAM(), 0)
        && connect($s, $addr)
        or return { error => "$!" };
    $s->blocking(0);
    syswrite $s, "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        . "Connection: close\r\n\r\n";
    return { sock => $s, sent => time, buf => '' };
}

# a part's bytes in its fragment's parts file ({file}: the parts one
# after the other, part 0 with its styp), undef while it is not there
sub part_bytes {
    my ($np) = @_;
    my $data = $t->read_file($np->{file}) // return undef;
    my ($pos, $styp, @chunks) = (0, 0);

    while ($pos + 8 <= length $data) {
        my ($size, $type) = unpack 'Na4', substr($data, $pos, 8);
        last if $size < 8 || $pos + $size > length $data;
        # a part begins with its moof, or with the styp before it
        push @chunks, '' if $type eq 'styp' || ($type eq 'moof' && !$styp);
        $styp = $type eq 'styp';
        $chunks[-1] .= substr($data, $pos, $size) if @chunks;
        $pos += $size;
    }

    # a part is there once its mdat is
    my $c = $chunks[$np->{part}];
    return defined $c && $c =~ /mdat/ ? $c : undef;
}

# reads the answers of the requests until all are in or for $secs; polls
# the part of $np meanwhile: {parked => it was not there when the last
# request was sent, mtime => the modification time of its parts file}
sub pump {
    my ($reqs, $secs, $np, $quiet, $first) = @_;
    my $poll = IO::Poll->new();
    my %by;
    my $sent = max(map { $_->{sent} // 0 } @$reqs);
    my $file = $np ? $np->{file} : undef;
    my %res = (parked => $np ? !defined part_bytes($np) : undef);

    for my $r (grep { $_->{sock} && !defined $_->{done} } @$reqs) {
        $poll->mask($r->{sock} => POLLIN);
        $by{fileno $r->{sock}} = $r;
    }

    my $deadline = time + $secs;
    while (%by) {
        $poll->poll($quiet ? 0.05 : 0.002);
        for my $s ($poll->handles(POLLIN | POLLHUP | POLLERR)) {
            my $r = $by{fileno $s};
            my $n = sysread $s, my $buf, 65536;
            if ($n) {
                $r->{buf} .= $buf;
                next;
            }
            next if !defined $n && $!{EAGAIN};
            $r->{done} = time;
            parse_response($r);
            $poll->remove($s);
            delete $by{fileno $s};
            close $s;
            delete $r->{sock};
        }
        last if $first && keys %by < @$reqs;
        last if time >= $deadline;
    }

    if (defined $file) {
        my @st = Time::HiRes::stat($file);
        $res{mtime} = $st[9];
        # there after the last request was sent, or not yet
        $res{parked} &&= !defined $res{mtime} || $res{mtime} > $sent;
    }
    return \%res;
}

sub parse_response {
    my ($r) = @_;
    my ($head, $body) = split /\r\n\r\n/, $r->{buf}, 2;

    ($r->{status}) = ($head // '') =~ m{^HTTP/1\.\d (\d+)};
    my @h = map { /^([^:]+):\s*(.*)$/ ? [ lc $1, $2 ] : () }
            split /\r\n/, $head // '';
    my %seen;
    $r->{headers} = { map { @$_ } @h };
    # a header twice: a run of a parked request left its headers
    $r->{dups} = join ' ', grep { $seen{$_}++ == 1 } map { $_->[0] } @h;
    $r->{body} = $body // '';
}

sub worker_pids {
    my ($tt) = @_;
    my $master = $tt->pid() or return ();
    my @w;

    for my $st (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $st or next;
        my $l = <$fh> // '';
        close $fh;
        my ($pid, $ppid) = $l =~ /^(\d+) \(.*\) \S (\d+)/ or next;
        push @w, $pid if $ppid == $master;
    }
    return sort { $a <=> $b } @w;
}

# kB
sub rss {
    my $sum = 0;
    for my $pid (@_) {
        my $s = $t->read_file("/proc/$pid/status") // '';
        $sum += $1 if $s =~ /^VmRSS:\s+(\d+)/m;
    }
    return $sum;
}

# seconds of CPU (user + system)
sub cpu {
    my ($pid) = @_;
    my $l = $t->read_file("/proc/$pid/stat") // '';
    $l =~ s/^.*\) //;
    my @f = split ' ', $l;
    return ($f[11] + $f[12]) / POSIX::sysconf(POSIX::_SC_CLK_TCK());
}

# waits until nginx has read the requests sent to it (a request read is
# answered or parked at once: no thread, no I/O for a playlist)
sub read_all {
    my ($tt) = @_;
    my $port = $tt->port(8080);

    return $tt->wait_for(sub { unread($port) == 0 }, timeout => 3,
        interval => 0.01, what => 'nginx reading the requests');
}

# client connections to $port not read yet by nginx (/proc/net/tcp: the
# receive queue of its sockets, and of the listening one its backlog)
sub unread {
    my ($port) = @_;
    my $hex = sprintf ':%04X', $port;
    my $n = 0;

    open my $fh, '<', '/proc/net/tcp' or return 0;
    while (<$fh>) {
        my @f = split;
        next unless ($f[1] // '') =~ /\Q$hex\E$/;
        my ($rx) = ($f[4] // '') =~ /:([0-9A-F]+)$/;
        $n++ if hex($rx // 0) > 0;
    }
    close $fh;
    return $n;
}
