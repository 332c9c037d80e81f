#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# The URL lists of bench/load-viewers.sh: reads the manifests of live
# events in every format a player would ask for, as a player at the live
# edge would, and writes the paths to fetch, one per line:
#
#   DIR/manifests.txt   the manifests a player polls: HLS master and
#                       media playlists (TS and CMAF), the DASH MPD, the
#                       Smooth manifest
#   DIR/segments.txt    the init segments and the last --last segments of
#                       every rendition of every format
#
# Each file is written whole and renamed into place, so a reader never
# sees half a list; with --duration the lists are rebuilt every
# --refresh seconds until then, so they follow the live edge.
#
#   perl bench/loadurls.pl --out DIR --base PREVIEW_BASE [--base ...]
#       [--duration SECONDS] [--refresh 2] [--last 3]
#       [--formats hls-ts,hls-cmaf,dash,smooth]
#
# PREVIEW_BASE: a live event's .../preview.ism (or a locator's
# .../name.ism) URL.  Without --duration, builds the lists once; exits 1
# unless every format of every event gave at least one segment.  Prints
# one line per build on stderr: the URLs per format.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use SluiceBench qw(hls_playlists hls_media dash_media smooth_media);

use Getopt::Long;
use HTTP::Tiny;
use Time::HiRes qw(time sleep);

my %o = (out => '', base => [], duration => 0, refresh => 2, last => 3,
    formats => 'hls-ts,hls-cmaf,dash,smooth');
GetOptions(\%o, 'out=s', 'base=s@', 'duration=f', 'refresh=f', 'last=i',
    'formats=s')
    or die "usage: loadurls.pl --out DIR --base URL [--duration S]\n";
die "--out DIR and --base URL needed\n" unless $o{out} && @{$o{base}};

my %manifest = (
    'hls-ts'   => 'manifest(format=m3u8-aapl)',
    'hls-cmaf' => 'manifest(format=m3u8-cmaf)',
    'dash'     => 'manifest(format=mpd-time-cmaf)',
    'smooth'   => 'manifest',
);
my @formats = split /,/, $o{formats};
for (@formats) {
    die "unknown format $_\n" unless $manifest{$_};
}

my $ua = HTTP::Tiny->new(timeout => 10, keep_alive => 1,
    agent => 'sluice-bench-loadurls/1');

sub get {
    my ($url) = @_;

    my $r = $ua->get($url);
    return $r->{success} ? $r->{content} : undef;
}

sub path {
    my ($url) = @_;

    return $url =~ m{^https?://[^/]+(/.*)$} ? $1 : $url;
}

sub last_of {
    my ($n, @l) = @_;

    return @l > $n ? @l[$#l - $n + 1 .. $#l] : @l;
}

# the manifests and segments of one format of one event
sub format_urls {
    my ($base, $f) = @_;

    my $url = "$base/$manifest{$f}";
    my $m = get($url) // return ([], []);
    my (@man, @seg) = ($url);

    if ($f =~ /^hls/) {
        for my $pl (hls_playlists($m, $url)) {
            my $b = get($pl) // next;
            push @man, $pl unless $pl eq $url;
            my ($init, @s) = hls_media($b, $pl);
            push @seg, grep { defined } $init, last_of($o{last}, @s);
        }
    } else {
        my @reps = $f eq 'dash' ? dash_media($m, $url)
                                : smooth_media($m, $url);
        for my $r (@reps) {
            push @seg, grep { defined } $r->[0],
                last_of($o{last}, @{$r->[1]});
        }
    }
    return (\@man, \@seg);
}

sub write_list {
    my ($file, @lines) = @_;

    open my $fh, '>', "$file.tmp" or die "$file.tmp: $!\n";
    print $fh map { path($_) . "\n" } @lines;
    close $fh or die "$file.tmp: $!\n";
    rename "$file.tmp", $file or die "$file: $!\n";
}

sub build {
    my (@man, @seg, %count);
    my $ok = 1;

    for my $base (@{$o{base}}) {
        for my $f (@formats) {
            my ($m, $s) = format_urls($base, $f);
            $ok = 0 unless @$s;
            push @man, @$m;
            push @seg, @$s;
            $count{$f} += @$s;
        }
    }
    if (@seg) {
        write_list("$o{out}/manifests.txt", @man);
        write_list("$o{out}/segments.txt", @seg);
    }
    printf STDERR "loadurls: %d manifests, segments %s\n", scalar @man,
        join(', ', map { "$_ " . ($count{$_} // 0) } @formats);
    return $ok;
}

my $ok = build();
exit($ok ? 0 : 1) unless $o{duration};

my $end = time() + $o{duration};
while (time() < $end) {
    my $next = time() + $o{refresh};
    build();
    my $left = $next - time();
    sleep($left) if $left > 0;
}
