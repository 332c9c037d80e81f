#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Manifest build time with and without filters (issue 10): a live event
# of 3 video and 2 audio tracks recorded by a live output with a 25 h
# archive window into an asset whose index is then given 45,000
# fragments of 2 s per track (25 h; the media files are not needed for
# manifests), played live through a streaming locator (the output still
# records, the event still runs).  Each manifest is requested N times
# over one keep-alive connection, unfiltered and through the 3-filter
# combination filter=win10;lowv;back (a 10-minute
# presentationWindowDuration, a bitrate range, a 10 s liveBackoffDuration)
# one after the other, and the client-side time of each request is taken
# (request sent to last byte read, on 127.0.0.1): p50 and p99 in ms, and
# the ratio of the filtered p50 and p99 to the unfiltered ones.
#
#   bench/manifests.pl [-n REQUESTS] [--frags N] [--record FILE]
#
# Needs ./build.sh build and ffmpeg; runs nginx through the test
# harness (t/lib), one worker, "aio threads".

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use Getopt::Long;
use HTTP::Tiny;
use Time::HiRes qw(time);
use Test::More ();
use Test::Sluice;
use Sluice::Playback;
use Sluice::Record;

my ($n, $nfrags, $record) = (200, 45000, undef);

GetOptions('n=i' => \$n, 'frags=i' => \$nfrags, 'record=s' => \$record)
    or die "usage: $0 [-n REQUESTS] [--frags N] [--record FILE]\n";

my $t = Test::Sluice->new();
Sluice::Playback::config($t);
$t->run();

my $token = 'beefbeefbeefbeefbeefbeefbeefbeef';
Sluice::Playback::start_endpoint($t, 'default')
    or die "no streaming endpoint\n";
$t->create_live_event('big', token => $token, timeout => 30)
    or die "no live event\n";

my $paths = Sluice::Playback::record($t, 'big', 'o1', 'a1', 'loc',
    archiveWindowLength => 'PT25H', manifestName => 'show');
my ($smooth) = @{ $paths->{SmoothStreaming} // [] };
my ($base) = ($smooth // '') =~ m{^(/[^/]+/show\.ism)/manifest$}
    or die "no locator paths\n";

# 3 video renditions, audio with the first two

my @in = map {
    Sluice::Ingest::fixture('av', duration => 10, gop => 2, %$_)
} ({ size => '1280x720', vbitrate => '2500k' },
   { size => '960x540', vbitrate => '1200k' },
   { size => '640x360', vbitrate => '600k', audio => 0 });

my $pub = $t->publish(input => \@in, loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

my $id = $t->api(GET => 'assets/a1')->{json}{properties}{assetId}
    or die "no asset id\n";
my $adir = $t->testdir . "/data/assets/$id";

$t->wait_for(sub {
    my @s = Sluice::Record::slots($adir);
    return @s == 5 && !grep { @{ $_->{records} } < 2 } @s;
}, 60) or die "no recording of 5 tracks in $adir\n";

$t->stop_publisher($pub);
$t->wait_log(qr/"stream\d" stops publishing to live event "big"/,
    count => 3);

# 25 h of index per track, in place of the few seconds recorded

for my $s (Sluice::Record::slots($adir)) {
    my $r0 = $s->{records}[0];
    my $d = 2 * $s->{timescale};
    my $data = '';

    for my $i (0 .. $nfrags - 1) {
        $data .= pack('Q< L< L< L< S< S<', $i * $d, $d, $i, $r0->{size}, 0,
                      $r0->{init});
    }

    open my $fh, '>:raw', "$s->{dir}/index.tmp" or die "$!\n";
    print $fh $data;
    close $fh or die "$!\n";
    rename "$s->{dir}/index.tmp", "$s->{dir}/index" or die "$!\n";
}

# the filters

my %filters = (
    win10 => { presentationTimeRange => {
        presentationWindowDuration => 600 * 10000000 } },
    lowv => { tracks => [
        { trackSelections => [
            { property => 'Type', operation => 'Equal', value => 'Video' },
            { property => 'Bitrate', operation => 'Equal',
              value => '0-3000000' } ] },
        { trackSelections => [
            { property => 'Type', operation => 'Equal',
              value => 'Audio' } ] } ] },
    back => { presentationTimeRange => {
        liveBackoffDuration => 10 * 10000000 } },
);

for my $f (sort keys %filters) {
    my $r = $t->api(PUT => "accountFilters/$f",
        { properties => $filters{$f} });
    die "filter $f: $r->{status} $r->{body}\n" unless $r->{status} == 201;
}

my $master = $t->get("$base/manifest(format=m3u8-aapl)")->{body} // '';
my ($media) = $master =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m
    or die "no media playlist in\n$master";

my @forms = (
    [ 'HLS media playlist (video, TS)', "$base/$media" ],
    [ 'HLS master (TS)', "$base/manifest(format=m3u8-aapl)" ],
    [ 'DASH MPD (CMAF)', "$base/manifest(format=mpd-time-cmaf)" ],
    [ 'Smooth manifest', "$base/manifest" ],
);

my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 30);
my $origin = 'http://127.0.0.1:' . $t->port(8080);

sub filtered {
    my ($url) = @_;
    return $url =~ s/\)$/,filter=win10;lowv;back)/r if $url =~ /\)$/;
    return "$url(filter=win10;lowv;back)";
}

# ms per request: p50 and p99 of $n, after 5 not counted
sub measure {
    my ($url) = @_;
    my (@ms, $size);

    for my $i (1 .. $n + 5) {
        my $t0 = time;
        my $r = $http->get("$origin$url");
        my $dt = (time - $t0) * 1000;
        die "$url: $r->{status}\n" unless $r->{status} == 200;
        $size = length $r->{content};
        push @ms, $dt if $i > 5;
    }

    @ms = sort { $a <=> $b } @ms;

    return { p50 => $ms[int(@ms * 0.5)], p99 => $ms[int(@ms * 0.99)],
             size => $size };
}

my @rows;

for my $f (@forms) {
    my $u = measure($f->[1]);
    my $fl = measure(filtered($f->[1]));

    push @rows, sprintf('| %s | %.2f / %.2f ms (%d B) | %.2f / %.2f ms '
        . '(%d B) | %.2f / %.2f |', $f->[0], $u->{p50}, $u->{p99},
        $u->{size}, $fl->{p50}, $fl->{p99}, $fl->{size},
        $fl->{p50} / $u->{p50}, $fl->{p99} / $u->{p99});
}

my $out = "$nfrags fragments of 2 s per track (3 video, 2 audio), $n "
    . "requests each\n\n"
    . "| manifest | unfiltered p50 / p99 | filter=win10;lowv;back p50 / p99 "
    . "| filtered / unfiltered |\n| --- | --- | --- | --- |\n"
    . join("\n", @rows) . "\n";

print $out;

if ($record) {
    open my $fh, '>>', $record or die "$record: $!\n";
    print $fh $out;
    close $fh;
}

$t->stop();
