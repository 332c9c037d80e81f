#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# A light live "viewer" for the benchmark: polls an HLS or DASH manifest
# and downloads every new segment of every rendition once, like a player
# (or a CDN edge) following the live edge, without decoding anything.
#
#   perl bench/viewer.pl --kind hls|dash --url URL --duration SECONDS
#                        [--interval 1] [--start-segments 3]
#
# Prints one JSON line at the end: manifests and segments fetched, bytes,
# HTTP errors (by status) and the first few failing URLs.  Exit status 0
# when at least one media segment was fetched and no request failed.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use SluiceBench qw(hls_playlists hls_media dash_media);

use Getopt::Long;
use HTTP::Tiny;
use JSON::PP;
use Time::HiRes qw(time sleep);

my %o = (kind => '', url => '', duration => 60, interval => 1,
    'start-segments' => 3);
GetOptions(\%o, 'kind=s', 'url=s', 'duration=f', 'interval=f',
    'start-segments=i')
    or die "usage: viewer.pl --kind hls|dash --url URL --duration S\n";
die "--kind hls|dash and --url needed\n"
    unless $o{kind} =~ /^(hls|dash)$/ && $o{url} =~ m{^https?://};

my $ua = HTTP::Tiny->new(timeout => 10, keep_alive => 1,
    verify_SSL => 0, agent => 'sluice-bench-viewer/1');

my %st = (kind => $o{kind}, url => $o{url}, manifests => 0, segments => 0,
    inits => 0, bytes => 0, errors => 0, statuses => {}, failed => []);
my %seen;

sub fetch {
    my ($url, $what) = @_;

    my $r = $ua->get($url);
    print STDERR "GET $url\n" if $ENV{VIEWER_DEBUG};
    if (!$r->{success}) {
        $st{errors}++;
        $st{statuses}{$r->{status}}++;
        push @{$st{failed}}, "$r->{status} $url" if @{$st{failed}} < 5;
        return undef;
    }
    $st{bytes} += length $r->{content};
    $st{$what}++;
    return $r->{content};
}

sub get_segments {
    my (@urls) = @_;

    my @new = grep { !$seen{$_} } @urls;
    # first look at a playlist: start near the live edge, as players do
    my $first = !grep { $seen{$_} } @urls;
    if ($first && @new > $o{'start-segments'}) {
        $seen{$_} = 1 for splice(@new, 0, @new - $o{'start-segments'});
    }
    for my $u (@new) {
        $seen{$u} = 1;
        fetch($u, 'segments');
    }
}

# --- HLS ---------------------------------------------------------------

my @media_playlists;

sub init {
    my ($u) = @_;

    return unless defined $u && !$seen{$u};
    $seen{$u} = 1;
    fetch($u, 'inits');
}

sub hls_poll {
    unless (@media_playlists) {
        my $m = fetch($o{url}, 'manifests') // return;
        @media_playlists = hls_playlists($m, $o{url});
    }

    for my $pl (@media_playlists) {
        my $m = fetch($pl, 'manifests') // next;
        my ($map, @segs) = hls_media($m, $pl);
        init($map);
        get_segments(@segs);
    }
}

# --- DASH --------------------------------------------------------------

sub dash_poll {
    my $mpd = fetch($o{url}, 'manifests') // return;

    for my $rep (dash_media($mpd, $o{url})) {
        init($rep->[0]);
        get_segments(@{$rep->[1]});
    }
}

# --- main --------------------------------------------------------------

my $end = time() + $o{duration};

while (time() < $end) {
    my $t0 = time();
    $o{kind} eq 'hls' ? hls_poll() : dash_poll();
    my $left = $o{interval} - (time() - $t0);
    $left = $end - time() if time() + $left > $end;
    sleep($left) if $left > 0;
}

$st{ok} = $st{segments} > 0 && $st{errors} == 0 ? JSON::PP::true
                                                 : JSON::PP::false;
print JSON::PP->new->canonical->encode(\%st), "\n";
exit($st{ok} ? 0 : 1);
