package SluiceBench;

# What the bench/ Perl scripts share.

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(resolve);

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

1;
