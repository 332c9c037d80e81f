#!/usr/bin/perl

# Every format lists the same renditions at the same instant: a
# 3-rendition ladder pushed to a live event (three RTMP streams, whose
# fragments are indexed moments apart), and from the first moment media
# exists the HLS master, the DASH MPD and the Smooth manifest fetched
# over and over.  Each round is HLS, DASH, Smooth, HLS again: when both
# HLS masters agree (renditions only join), DASH's video
# Representations and the QualityLevels of Smooth's one video
# StreamIndex must be the same renditions.  Smooth once listed fewer
# (a rendition whose newest fragment was indexed first went to a
# StreamIndex of its own).

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->has_program('ffmpeg');

$t->write_sluice_conf(location => 'sluice_live_window 30s;');
$t->run();

my $token = '0123456789abcdef0123456789abcdef';
my $loc = $t->create_preview_event('ev1', $token);
ok($loc, 'ev1 running with a preview locator') or BAIL_OUT('no event');

my $base = "/$loc/preview.ism";
my @ladder = Sluice::Ingest::fixture('ladder', duration => 8, gop => 2);
$t->publish(input => [@ladder], loop => 1,
    url => [ map { 'rtmp://127.0.0.1:' . $t->port(1935)
                   . "/live/$token/stream$_" } 1 .. 3 ]);

sub hls_set {
    my ($body) = @_;
    my %br = map { $_ => 1 }
        $body =~ m{^QualityLevels\((\d+)\)/Manifest\(video\b}mg;
    return join ',', sort { $a <=> $b } keys %br;
}

sub dash_set {
    my ($body) = @_;
    my @br;
    for my $set ($body =~ m{(<AdaptationSet\b[^>]*contentType="video".*?</AdaptationSet>)}sg) {
        push @br, $set =~ m{<Representation\b[^>]*\bbandwidth="(\d+)"}g;
    }
    return join ',', sort { $a <=> $b } @br;
}

# the QualityLevels of each video StreamIndex, "|" between indexes
sub smooth_sets {
    my ($body) = @_;
    my @sets;
    for my $si ($body =~ m{(<StreamIndex\b[^>]*Type="video".*?</StreamIndex>)}sg) {
        push @sets, join ',', sort { $a <=> $b }
            $si =~ m{<QualityLevel\b[^>]*\bBitrate="(\d+)"}g;
    }
    return join '|', @sets;
}

sub fetch {
    my ($what) = @_;
    my $r = $t->get("$base/$what");
    return $r->{status} == 200 ? $r->{body} : undef;
}

# from the first manifest with media on

ok($t->wait_for(sub { defined fetch('manifest(format=m3u8-cmaf)') },
    timeout => 30), 'media indexed') or BAIL_OUT('no media');

my ($rounds, $checked, $three, @bad) = (0, 0, 0);
my $until = time() + 20;

while (time() < $until && @bad < 5) {
    my $h1 = fetch('manifest(format=m3u8-cmaf)');
    my $d = fetch('manifest(format=mpd-time-cmaf)');
    my $s = fetch('manifest');
    my $h2 = fetch('manifest(format=m3u8-cmaf)');
    $rounds++;

    next unless defined $h1 && defined $h2 && defined $d && defined $s;

    my $want = hls_set($h1);
    next if $want ne hls_set($h2) || $want eq '';

    $checked++;
    $three++ if ($want =~ tr/,//) == 2;

    my ($dset, $sset) = (dash_set($d), smooth_sets($s));
    push @bad, "HLS $want, DASH $dset, Smooth $sset"
        if $dset ne $want || $sset ne $want;
}

ok($checked > 50, "rounds compared ($checked of $rounds)");
ok($three > 20, "rounds with the three renditions ($three)");
is(scalar @bad, 0, 'HLS, DASH and Smooth list the same renditions')
    or diag(join "\n", @bad);

done_testing();
