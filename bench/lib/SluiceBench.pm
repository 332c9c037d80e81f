package SluiceBench;

# What the bench/ Perl scripts share: URL resolution and the reading of
# manifests (HLS, DASH, Smooth) into the URLs a player would fetch.

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(resolve hls_playlists hls_media dash_media
    smooth_media);

# resolve(BASE_URL, REF): REF (absolute, host-relative or relative) as an
# absolute URL against the playlist at BASE_URL
sub resolve {
    my ($base, $rel) = @_;

    return $rel if $rel =~ m{^https?://};
    if ($rel =~ m{^/}) {
        $base =~ m{^(https?://[^/]+)};
        return $1 . $rel;
    }
    (my $dir = $base) =~ s{[?#].*$}{};
    $dir =~ s{[^/]*$}{};
    return $dir . $rel;
}


# hls_playlists(BODY, URL): the media playlists of the HLS master
# playlist BODY read from URL (variants and EXT-X-MEDIA renditions,
# sorted); (URL) when BODY is a media playlist
sub hls_playlists {
    my ($m, $url) = @_;

    return ($url) if $m !~ /#EXT-X-STREAM-INF/;

    my @lines = split /\r?\n/, $m;
    my %pl;
    for my $i (0 .. $#lines) {
        if ($lines[$i] =~ /^#EXT-X-MEDIA:.*URI="([^"]+)"/) {
            $pl{resolve($url, $1)} = 1;
        }
        if ($lines[$i] =~ /^#EXT-X-STREAM-INF/) {
            my $j = $i + 1;
            $j++ while $j <= $#lines && $lines[$j] =~ /^(#|\s*$)/;
            $pl{resolve($url, $lines[$j])} = 1 if $j <= $#lines;
        }
    }
    return sort keys %pl;
}


# hls_media(BODY, URL): (INIT, SEGMENTS...) of the HLS media playlist
# BODY read from URL: the EXT-X-MAP URL (undef without one) and the
# segment URLs in playlist order
sub hls_media {
    my ($m, $url) = @_;

    my ($init, @segs);
    for my $l (split /\r?\n/, $m) {
        if ($l =~ /^#EXT-X-MAP:.*URI="([^"]+)"/) {
            $init = resolve($url, $1);
        }
        next if $l =~ /^#/ || $l !~ /\S/;
        push @segs, resolve($url, $l);
    }
    return ($init, @segs);
}


sub _attr {
    my ($tag, $name) = @_;

    return $tag =~ /\b\Q$name\E="([^"]*)"/ ? $1 : undef;
}


# the SegmentTemplate element in $xml, self-closing or not
sub _template {
    my ($xml) = @_;

    return $1 if $xml =~ m{(<SegmentTemplate\b[^>]*/>)}s
        && $xml !~ m{<SegmentTemplate\b[^>]*[^/]>}s;
    return $1 if $xml =~ m{(<SegmentTemplate\b[^>]*[^/]>.*?</SegmentTemplate>)}s;
    return undef;
}


# dash_media(MPD, URL): per Representation of an MPD with SegmentTemplate
# and SegmentTimeline, [ INIT, [ SEGMENTS... ] ] (URLs, in time order)
sub dash_media {
    my ($mpd, $url) = @_;

    my $base = $url;
    my @reps;

    if ($mpd =~ m{<BaseURL>\s*([^<]+?)\s*</BaseURL>}) {
        $base = resolve($base, $1);
    }

    while ($mpd =~ m{<AdaptationSet\b(.*?)</AdaptationSet>}gs) {
        my $as = $1;
        my ($as_tpl) = $as =~ m{^(.*?)<Representation\b}s;
        my $as_st = $as_tpl ? _template($as_tpl) : undef;

        while ($as =~ m{<Representation\b([^>]*?)(?:/>|>(.*?)</Representation>)}gs) {
            my ($rattr, $rbody) = ($1, $2 // '');
            my $st = _template($rbody) // $as_st;
            next unless $st;
            my ($sttag) = $st =~ m{^(<SegmentTemplate\b[^>]*>)}s;

            my %v = (RepresentationID => _attr($rattr, 'id') // '',
                Bandwidth => _attr($rattr, 'bandwidth') // '');
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

            my $init = _attr($sttag, 'initialization');
            $init = $expand->($init) if defined $init;

            my $media = _attr($sttag, 'media') // next;
            my $number = _attr($sttag, 'startNumber') // 1;
            my @segs;
            my $t = 0;
            while ($st =~ m{<S\b([^>]*)/?>}g) {
                my $s = $1;
                my $d = _attr($s, 'd') // last;
                my $r = _attr($s, 'r') // 0;
                $t = _attr($s, 't') // $t;
                $r = 0 if $r < 0;
                for (0 .. $r) {
                    push @segs, $expand->($media, Time => $t,
                        Number => $number);
                    $t += $d;
                    $number++;
                }
            }
            push @reps, [ $init, \@segs ];
        }
    }
    return @reps;
}


# smooth_media(MANIFEST, URL): per QualityLevel of every StreamIndex of
# a Smooth manifest read from URL, [ undef, [ FRAGMENTS... ] ] (URLs, in
# time order; Smooth has no init segment)
sub smooth_media {
    my ($m, $url) = @_;

    my @reps;

    while ($m =~ m{(<StreamIndex\b[^>]*>)(.*?)</StreamIndex>}gs) {
        my ($tag, $body) = ($1, $2);
        my $tpl = _attr($tag, 'Url') // next;
        my $type = _attr($tag, 'Type') // '';
        my @times;
        my $pos = 0;

        for my $c ($body =~ /<c\b([^>]*)>/g) {
            my $t = _attr($c, 't');
            my $d = _attr($c, 'd') // 0;
            my $r = _attr($c, 'r') // 1;
            $pos = $t if defined $t;
            for (1 .. $r) {
                push @times, $pos;
                $pos += $d;
            }
        }

        while ($body =~ /<QualityLevel\b([^>]*)>/g) {
            my $br = _attr($1, 'Bitrate') // next;
            my @segs;
            for my $t (@times) {
                (my $u = $tpl) =~ s/\{bitrate\}|\{Bitrate\}/$br/g;
                $u =~ s/\{start time\}|\{start_time\}/$t/g;
                push @segs, resolve($url, $u);
            }
            push @reps, [ undef, \@segs, $type ];
        }
    }
    return @reps;
}

1;
