#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Is anything missing from the archives?  For bench/soak.sh: reads the
# asset directories a live output recorded into (docs: src/core/
# ngx_sluice_asset.h) and checks, per recorded track (slot):
#
#   - every index record's fragment file ({time}.m4s) is there, with the
#     record's size;
#   - times and seqs strictly increase;
#   - a record starts where the one before it ends, unless it is flagged
#     as a discontinuity (a hole the ingest knew of: the encoder
#     reconnected, a worker died mid-fragment);
#
# and prints, per asset, the tracks, records, media seconds,
# discontinuities and the faults found.  Exit status 1 when a fault was
# found or an asset has no record.
#
#   perl bench/archivecheck.pl ASSET_DIR...

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../t/lib";

use Sluice::Record;

use constant DISCONTINUITY => 0x0001;

my $bad = 0;

for my $dir (@ARGV) {
    my @slots = Sluice::Record::slots($dir);
    my (@faults, $recs, $discs, %secs);

    ($recs, $discs) = (0, 0);
    push @faults, 'no recorded track' unless @slots;

    for my $s (@slots) {
        my $r = $s->{records};
        my $ts = $s->{timescale} || 1;
        my $name = "$s->{type} slot $s->{slot}";

        push @faults, "$name: no record" unless @$r;
        $recs += @$r;

        for my $i (0 .. $#$r) {
            my $x = $r->[$i];
            my $f = "$s->{dir}/$x->{time}.m4s";

            $secs{$name} += $x->{duration} / $ts;
            if (!-e $f) {
                push @faults, "$name: $x->{time}.m4s missing";
            } elsif (-s $f != $x->{size}) {
                push @faults, "$name: $x->{time}.m4s has " . (-s $f)
                    . " bytes, the index $x->{size}";
            }

            next unless $i;
            my $p = $r->[$i - 1];
            if ($x->{time} <= $p->{time} || $x->{seq} <= $p->{seq}) {
                push @faults, "$name: record $i does not follow $p->{time}";
            }
            if ($x->{flags} & DISCONTINUITY) {
                $discs++;
            } elsif ($x->{time} != $p->{time} + $p->{duration}) {
                push @faults, sprintf('%s: a hole of %.3f s before %d, '
                    . 'not flagged', $name,
                    ($x->{time} - $p->{time} - $p->{duration}) / $ts,
                    $x->{time});
            }
        }
    }

    (my $asset = $dir) =~ s{.*/}{};
    printf "%s: %d tracks, %d records, %s media s, %d discontinuities, "
        . "%d faults\n", $asset, scalar @slots, $recs,
        join('/', map { sprintf '%.0f', $secs{$_} } sort keys %secs),
        $discs, scalar @faults;
    print "  $_\n" for @faults[0 .. ($#faults < 9 ? $#faults : 9)];
    $bad = 1 if @faults;
}

exit $bad;
