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
use SluiceBench qw(resolve);

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

sub hls_master {
    my $m = fetch($o{url}, 'manifests') // return;

    if ($m !~ /#EXT-X-STREAM-INF/) {
        @media_playlists = ($o{url});
        return;
    }

    my @lines = split /\r?\n/, $m;
    my %pl;
    for my $i (0 .. $#lines) {
        if ($lines[$i] =~ /^#EXT-X-MEDIA:.*URI="([^"]+)"/) {
            $pl{resolve($o{url}, $1)} = 1;
        }
        if ($lines[$i] =~ /^#EXT-X-STREAM-INF/) {
            my $j = $i + 1;
            $j++ while $j <= $#lines && $lines[$j] =~ /^(#|\s*$)/;
            $pl{resolve($o{url}, $lines[$j])} = 1 if $j <= $#lines;
        }
    }
    @media_playlists = sort keys %pl;
}

sub hls_poll {
    hls_master() unless @media_playlists;

    for my $pl (@media_playlists) {
        my $m = fetch($pl, 'manifests') // next;
        my @segs;
        for my $l (split /\r?\n/, $m) {
            if ($l =~ /^#EXT-X-MAP:.*URI="([^"]+)"/) {
                my $u = resolve($pl, $1);
                $seen{$u} = 1, fetch($u, 'inits') unless $seen{$u};
            }
            next if $l =~ /^#/ || $l !~ /\S/;
            push @segs, resolve($pl, $l);
        }
        get_segments(@segs);
    }
}

# --- DASH --------------------------------------------------------------

sub attr {
    my ($tag, $name) = @_;

    return $tag =~ /\b\Q$name\E="([^"]*)"/ ? $1 : undef;
}

# the SegmentTemplate element in $xml, self-closing or not
sub template {
    my ($xml) = @_;

    return $1 if $xml =~ m{(<SegmentTemplate\b[^>]*/>)}s
        && $xml !~ m{<SegmentTemplate\b[^>]*[^/]>}s;
    return $1 if $xml =~ m{(<SegmentTemplate\b[^>]*[^/]>.*?</SegmentTemplate>)}s;
    return undef;
}

sub dash_poll {
    my $mpd = fetch($o{url}, 'manifests') // return;
    my $base = $o{url};

    if ($mpd =~ m{<BaseURL>\s*([^<]+?)\s*</BaseURL>}) {
        $base = resolve($base, $1);
    }

    while ($mpd =~ m{<AdaptationSet\b(.*?)</AdaptationSet>}gs) {
        my $as = $1;
        my ($as_tpl) = $as =~ m{^(.*?)<Representation\b}s;
        my $as_st = $as_tpl ? template($as_tpl) : undef;

        while ($as =~ m{<Representation\b([^>]*?)(?:/>|>(.*?)</Representation>)}gs) {
            my ($rattr, $rbody) = ($1, $2 // '');
            my $st = template($rbody) // $as_st;
            next unless $st;
            my ($sttag) = $st =~ m{^(<SegmentTemplate\b[^>]*>)}s;

            my %v = (RepresentationID => attr($rattr, 'id') // '',
                Bandwidth => attr($rattr, 'bandwidth') // '');
            my $expand = sub {
                my ($t, %x) = @_;
                my %all = (%v, %x);
                $t =~ s/\$(\w+)(?:%0(\d+)d)?\$/
                    defined $all{$1}
                        ? ($2 ? sprintf("%0$2d", $all{$1}) : $all{$1})
                        : "\$$1\$"/ge;
                $t =~ s/\$\$/\$/g;
                return resolve($base, $t);
            };

            my $init = attr($sttag, 'initialization');
            if (defined $init) {
                my $u = $expand->($init);
                $seen{$u} = 1, fetch($u, 'inits') unless $seen{$u};
            }

            my $media = attr($sttag, 'media') // next;
            my $number = attr($sttag, 'startNumber') // 1;
            my @segs;
            my $t = 0;
            while ($st =~ m{<S\b([^>]*)/?>}g) {
                my $s = $1;
                my $d = attr($s, 'd') // last;
                my $r = attr($s, 'r') // 0;
                $t = attr($s, 't') // $t;
                $r = 0 if $r < 0;
                for (0 .. $r) {
                    push @segs, $expand->($media, Time => $t,
                        Number => $number);
                    $t += $d;
                    $number++;
                }
            }
            get_segments(@segs);
        }
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
