#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Segment throughput of one nginx worker (issue 9): the same 2 s segment
# of a 3 Mbps 720p30 recording served, in one run, as
#
#   static      the clear CMAF segment as a file of an nginx static
#               location (the baseline)
#   clear       through the packager, clear (m3u8-cmaf: the stored
#               fragment, sent from its file)
#   cbc         m3u8-cmaf,encryption=cbc (AES-128, whole segment)
#   cenc        m3u8-cmaf,encryption=cenc (CENC AES-CTR, subsamples)
#   cbcs        m3u8-cmaf,encryption=cbcs (CENC cbcs 1:9, subsamples)
#   ts-clear    m3u8-aapl: muxed to TS on request
#   ts-cbc      m3u8-aapl,encryption=cbc
#   ts-sample   m3u8-aapl,encryption=cbcs-aapl (SAMPLE-AES)
#
# Each form is loaded with wrk (one thread, -c connections) for -d
# seconds after a 2 s warm-up; the result is requests per second and
# MB/s, and the ratios of each form to static and of each encrypted form
# to its clear one (clear for CMAF, ts-clear for TS).  A form whose URL
# does not answer 200 is reported as "n/a" with the status.
#
# The static location has the packager's I/O settings ("aio threads",
# sendfile), so that both send the file the same way.
#
#   bench/segments.pl [-d SECONDS] [-c CONNECTIONS] [--record FILE]
#                     [--only FORM,...] [--perf DIR]
#
# --only measures those forms (static is always measured); --perf DIR
# records the worker with "perf record -g" while each form is measured,
# into DIR/FORM.data (perf report -i DIR/FORM.data).
#
# Needs ./build.sh build, ffmpeg and wrk (apt-get install wrk); runs
# nginx through the test harness (t/lib), one worker, "aio threads".

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use Getopt::Long;
use Test::More ();
use Test::Sluice;
use Sluice::Playback;

my ($duration, $conns, $record, $only, $perf) = (10, 8, undef, undef, undef);

GetOptions('d=i' => \$duration, 'c=i' => \$conns, 'record=s' => \$record,
           'only=s' => \$only, 'perf=s' => \$perf)
    or die "usage: $0 [-d SECONDS] [-c CONNECTIONS] [--record FILE] "
           . "[--only FORM,...] [--perf DIR]\n";

for my $p (qw(ffmpeg wrk)) {
    system("command -v $p >/dev/null") == 0
        or die "$p is needed (apt-get install $p)\n";
}

Test::More::plan('no_plan');

my $t = Test::Sluice->new();

Sluice::Playback::config($t, workers => 1, location => '',
    server => "location /static/ {\n    alias %%TESTDIR%%/static/;\n"
              . "    aio threads=sluice;\n}");
mkdir $t->testdir . '/static';
$t->run();

Sluice::Playback::start_endpoint($t, 'default')
    or die "default endpoint not running\n";

my $token = '0123456789abcdef0123456789abcdef';
$t->create_live_event('ev1', token => $token) or die "no live event\n";

setup_policies($t);

my %paths;
$paths{clear} = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'clear',
    manifestName => 'bench');

for my $l ([ 'aes', 'Predefined_ClearKey' ], [ 'cenc', 'benchCenc' ],
           [ 'cbcs', 'benchCbcs' ])
{
    $paths{ $l->[0] } = Sluice::Playback::locator($t, $l->[0], 'a1',
        $l->[1], defaultContentKeyPolicyName => 'benchOpen');
}

my $fixture = Sluice::Ingest::fixture('av', duration => 30, gop => 2,
    size => '1280x720', vbitrate => '3000k', profile => 'high');
my $pub = $t->publish(input => $fixture,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

my ($smooth) = @{ $paths{clear}{SmoothStreaming} // [] };
Sluice::Playback::wait_fragments($t, $smooth, 6, timeout => 60)
    or die "the recording did not get 6 fragments\n";

my %urls = segment_urls($t, \%paths);

# the static copy of the clear CMAF segment
my $body = $t->get($urls{clear})->{body};
open my $fh, '>', $t->testdir . '/static/seg.m4s' or die "static: $!\n";
print $fh $body;
close $fh;
$urls{static} = '/static/seg.m4s';

printf "segment: %d bytes (%s)\n", length $body, $urls{clear};

my @forms = qw(static clear cbc cenc cbcs ts-clear ts-cbc ts-sample);
my %res;

if ($only) {
    my %want = map { $_ => 1 } 'static', split /,/, $only;
    @forms = grep { $want{$_} } @forms;
}

for my $f (@forms) {
    $res{$f} = measure($t, $urls{$f}, $f);
    printf "%-10s %s\n", $f, $res{$f}{rps}
        ? sprintf('%8.1f req/s %8.1f MB/s', $res{$f}{rps}, $res{$f}{mbps})
        : "n/a ($res{$f}{why})";
}

report(\%res, \@forms, length $body);

$t->stop_publishers();


sub setup_policies {
    my ($t) = @_;

    my $open = { properties => { options => [ {
        name => 'open',
        configuration => {
            '@odata.type' =>
                '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
        restriction => {
            '@odata.type' =>
                '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } };

    my $r = $t->api(PUT => 'contentKeyPolicies/benchOpen', $open);
    die "content key policy: $r->{status} $r->{body}\n"
        unless $r->{status} =~ /^20[01]$/;

    my %on = (download => JSON::PP::false, dash => JSON::PP::true,
              hls => JSON::PP::true, smoothStreaming => JSON::PP::false);

    for my $p ([ 'benchCenc', 'commonEncryptionCenc' ],
               [ 'benchCbcs', 'commonEncryptionCbcs' ])
    {
        $r = $t->api(PUT => "streamingPolicies/$p->[0]", { properties => {
            defaultContentKeyPolicyName => 'benchOpen',
            $p->[1] => { enabledProtocols => \%on,
                         clearKeyEncryptionConfiguration => {} } } });
        die "streaming policy $p->[0]: $r->{status} $r->{body}\n"
            unless $r->{status} =~ /^20[01]$/;
    }
}


# the third video segment of each form, from its media playlist

sub segment_urls {
    my ($t, $paths) = @_;

    my %u;
    my %forms = (
        clear => [ 'clear', 'm3u8-cmaf', '' ],
        cbc => [ 'aes', 'm3u8-cmaf', ',encryption=cbc' ],
        cenc => [ 'cenc', 'm3u8-cmaf', ',encryption=cenc' ],
        cbcs => [ 'cbcs', 'm3u8-cmaf', ',encryption=cbcs' ],
        'ts-clear' => [ 'clear', 'm3u8-aapl', '' ],
        'ts-cbc' => [ 'aes', 'm3u8-aapl', ',encryption=cbc' ],
        'ts-sample' => [ 'cbcs', 'm3u8-aapl', ',encryption=cbcs-aapl' ],
    );

    for my $f (keys %forms) {
        my ($loc, $format, $tag) = @{ $forms{$f} };
        my ($any) = map { @$_ } values %{ $paths->{$loc} // {} };

        $u{$f} = "/none-$f";
        next unless $any && $any =~ m{^(/[^/]+/[^/]+\.ism)/};

        my $base = $1;
        my $master = $t->get("$base/manifest(format=$format$tag).m3u8");
        my ($vpl) = ($master->{body} // '') =~
            m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
        unless ($master->{status} == 200 && $vpl) {
            Test::More::diag("$f: master playlist $master->{status} "
                             . ($master->{body} // ''));
            next;
        }

        my ($dir) = $vpl =~ m{^(QualityLevels\(\d+\))/};
        my @segs = Sluice::Playback::segments(
            $t->get("$base/$vpl")->{body} // '');
        $u{$f} = "$base/$dir/$segs[2][0]" if @segs >= 3;
    }

    return %u;
}


sub measure {
    my ($t, $path, $form) = @_;

    my $r = $t->get($path);
    return { why => "HTTP $r->{status}" } unless $r->{status} == 200;

    my $url = Sluice::Playback::url($t, $path);
    $url =~ s/([()=,])/sprintf('%%%02X', ord $1)/ge;

    # warm-up
    system("wrk -t1 -c$conns -d2s '$url' >/dev/null 2>&1") == 0
        or die "wrk failed\n";

    my $rec;

    if ($perf) {
        my ($worker) = `pgrep -P ${\ $t->pid}` =~ /(\d+)/;
        mkdir $perf;
        $rec = fork // die "fork: $!\n";
        if ($rec == 0) {
            exec('perf', 'record', '-q', '-g', '-p', $worker, '-o',
                 "$perf/$form.data", '--', 'sleep', $duration);
        }
    }

    my $out = `wrk -t1 -c$conns -d${duration}s '$url' 2>&1`;

    waitpid($rec, 0) if $rec;
    my ($rps) = $out =~ /Requests\/sec:\s*([\d.]+)/;
    my ($tr, $unit) = $out =~ /Transfer\/sec:\s*([\d.]+)(\w+)/;
    my ($non2xx) = $out =~ /Non-2xx or 3xx responses:\s*(\d+)/;

    return { why => "wrk: $out" } unless $rps;
    return { why => "$non2xx non-2xx responses" } if $non2xx;

    my %scale = (B => 1 / 1048576, KB => 1 / 1024, MB => 1, GB => 1024);

    return { rps => $rps, mbps => $tr * ($scale{$unit} // 0) };
}


sub report {
    my ($res, $forms, $size) = @_;

    my @rows;
    my %clear_of = (cbc => 'clear', cenc => 'clear', cbcs => 'clear',
                    'ts-cbc' => 'ts-clear', 'ts-sample' => 'ts-clear');
    my $static = $res->{static}{rps};

    for my $f (@$forms) {
        my $rps = $res->{$f}{rps};
        my $c = $clear_of{$f} ? $res->{ $clear_of{$f} }{rps} : undef;

        push @rows, sprintf('| %s | %s | %s | %s | %s |', $f,
            $rps ? sprintf('%.0f', $rps) : 'n/a',
            $rps ? sprintf('%.0f', $res->{$f}{mbps}) : '',
            $rps && $static ? sprintf('%.2f', $rps / $static) : '',
            $rps && $c ? sprintf('%.2f', $rps / $c) : '');
    }

    my $head = sprintf("Segment %d bytes, wrk -t1 -c%d -d%ds, one worker, "
                       . "%s:\n\n| form | req/s | MB/s | / static "
                       . "| / its clear form |\n| --- | --- | --- | --- "
                       . "| --- |\n", $size, $conns, $duration,
                       scalar gmtime);

    print "\n", $head, join("\n", @rows), "\n";

    return unless $record;

    open my $fh, '>>', $record or die "$record: $!\n";
    print $fh "\n", $head, join("\n", @rows), "\n";
    close $fh;
}
